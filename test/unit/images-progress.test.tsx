import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { initialImagesState, reduceImages, type ImagesState } from '../../runner/images/progress.js';
import type { ImageEvent } from '../../runner/images/ensure.js';
import { ImagesProgress } from '../../runner/ui/ImagesProgress.js';

const fold = (events: ImageEvent[], names = ['busybox', 'toolbox', 'web']): ImagesState => events.reduce(reduceImages, initialImagesState(names));

describe('image build progress', () => {
  it('folds build events into one row per image', () => {
    const state = fold([
      { kind: 'start', name: 'busybox', tag: 'lean-labs/busybox:1' },
      { kind: 'step', name: 'busybox', step: 1, total: 3, text: 'FROM debian:bookworm-slim' },
      { kind: 'cached', name: 'busybox', step: 1 },
      { kind: 'step', name: 'busybox', step: 2, total: 3, text: 'RUN apt-get install busybox-static' },
      { kind: 'done', name: 'toolbox', ms: 0, built: false },
      { kind: 'failed', name: 'web', error: 'Building lean-labs/web:1 failed at step 2/9 (RUN apt-get …):\nE: boom' },
    ]);
    expect(state.rows.map((r) => [r.name, r.status, r.step, r.total, r.cachedSteps])).toEqual([
      ['busybox', 'building', 2, 3, 1],
      ['toolbox', 'present', 0, 0, 0],
      ['web', 'failed', 0, 0, 0],
    ]);
  });

  it('renders step N/M, the current step, cached counts, and the real build error', () => {
    const state = fold([
      { kind: 'start', name: 'busybox', tag: 'lean-labs/busybox:1' },
      { kind: 'cached', name: 'busybox', step: 1 },
      { kind: 'step', name: 'busybox', step: 2, total: 3, text: 'RUN apt-get install busybox-static' },
      { kind: 'done', name: 'toolbox', ms: 12_300, built: true },
      { kind: 'failed', name: 'web', error: 'failed at step 2/9 (RUN apt-get install nginx-light):\nE: Unable to locate package' },
    ]);
    const { lastFrame } = render(<ImagesProgress state={state} width={120} />);
    const frame = lastFrame() ?? '';
    expect(frame).toContain('▸ busybox  step 2/3 (1 cached)  RUN apt-get install busybox-static');
    expect(frame).toContain('✓ toolbox  built in 12.3 s');
    expect(frame).toContain('✗ web      failed');
    expect(frame).toContain('E: Unable to locate package');
  });
});
