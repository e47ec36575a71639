import { escapeAllControls } from '../text/controls.js';
import { UserError } from '../errors.js';
import type { BuildProgress } from './port.js';

/** A failed build: which step failed and what it printed, as the learner needs to see it. */
export class BuildError extends UserError {
  readonly step: string;
  readonly output: string;
  constructor(tag: string, step: string, output: string, detail: string) {
    super(`Building ${tag} failed at ${step || 'the start'}:\n${detail.trim()}${output.trim() ? `\n--- its last output ---\n${output.trim()}` : ''}`);
    this.step = step;
    this.output = output;
  }
}

/** Reads the engine's build stream messages (classic builder) into progress, keeping what a failure needs. */
export class BuildStreamReader {
  private lastStep = '';
  private tail: string[] = [];
  error: string | undefined;

  constructor(private readonly onProgress: (p: BuildProgress) => void) {}

  feed(msg: { stream?: string; error?: string; errorDetail?: { message?: string } }): void {
    // A build's RUN steps print what they like: it is shown only with its control characters made visible.
    if (msg.error || msg.errorDetail) {
      this.error = escapeAllControls(msg.errorDetail?.message ?? msg.error ?? 'unknown build error');
      return;
    }
    for (const line of escapeAllControls(msg.stream ?? '').split('\n')) {
      if (!line.trim()) continue;
      const step = /^Step (\d+)\/(\d+) : (.*)$/.exec(line);
      if (step) {
        this.lastStep = `step ${step[1]}/${step[2]} (${step[3]})`;
        this.tail = [];
        this.onProgress({ kind: 'step', step: Number(step[1]), total: Number(step[2]), text: step[3] ?? '' });
      } else if (/^ ---> Using cache/.test(line)) {
        this.onProgress({ kind: 'cached' });
      } else if (!/^ ---> |^Removing intermediate|^Successfully (built|tagged)/.test(line)) {
        this.tail.push(line);
        if (this.tail.length > 30) this.tail.shift();
        this.onProgress({ kind: 'output', text: line });
      }
    }
  }

  failure(tag: string): BuildError | undefined {
    return this.error === undefined ? undefined : new BuildError(tag, this.lastStep, this.tail.join('\n'), this.error);
  }
}
