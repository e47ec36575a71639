import type { Lab } from '../lab/types.js';
import { initialImagesState, reduceImages, type ImagesState } from '../images/progress.js';
import type { Resource } from '../engine/resources.js';
import { appendOutput, EMPTY_OUTPUT, type Output } from './output.js';
import { freshLab, type LabProgress } from './progress.js';
import type { JudgeCause, JudgedCheck, TutorEvent } from './tutor.js';

/** Everything the lab screen shows, as a pure fold over the tutor's events. */
export interface LabView {
  readonly index: number;
  readonly progress: LabProgress;
  readonly results?: readonly JudgedCheck[];
  readonly passed: boolean;
  readonly judging: boolean;
  readonly lastCause?: JudgeCause;
  readonly ready: boolean;
  /** The lab as this engine can prove it, once ready (a check it cannot judge there is left out). */
  readonly lab?: Lab;
  readonly workDir?: string;
  readonly foreign: readonly Resource[];
  readonly images?: ImagesState;
  readonly engine: { readonly up: boolean; readonly message?: string };
  /** The command running now (or last run), and how it ended. */
  readonly command?: { readonly text: string; readonly what: string; readonly typed?: string; readonly exit?: { readonly code: number; readonly interrupted: boolean } };
  readonly output: Output;
  readonly notice?: { readonly text: string; readonly tone: 'info' | 'warn' | 'error' };
}

export const initialLabView = (progress: LabProgress = freshLab()): LabView => ({
  index: progress.step,
  progress,
  passed: false,
  judging: false,
  ready: false,
  foreign: [],
  engine: { up: true },
  output: EMPTY_OUTPUT,
});

export function reduceLabView(v: LabView, e: TutorEvent): LabView {
  switch (e.kind) {
    case 'opened':
      return initialLabView(e.progress);
    case 'images-plan':
      return { ...v, images: e.toBuild.length ? initialImagesState(e.toBuild) : undefined };
    case 'image':
      return v.images ? { ...v, images: reduceImages(v.images, e.event) } : v;
    case 'ready':
      return { ...v, ready: true, images: undefined, workDir: e.workDir, foreign: e.foreign, lab: e.lab };
    case 'foreign':
      // While names are held by the learner's own things, earlier results prove nothing: the checks wait.
      return e.foreign.length ? { ...v, foreign: e.foreign, results: undefined, passed: false, judging: false } : { ...v, foreign: e.foreign };
    case 'step':
      return { ...v, index: e.index, progress: e.progress, results: undefined, passed: false, notice: undefined };
    case 'judging':
      return { ...v, judging: true };
    case 'judged':
      return e.index === v.index ? { ...v, judging: false, results: e.results, passed: e.passed, lastCause: e.cause } : { ...v, judging: false };
    case 'command':
      return { ...v, command: { text: e.text, what: e.what }, output: EMPTY_OUTPUT };
    case 'typing':
      return v.command ? { ...v, command: { ...v.command, typed: e.text } } : v;
    case 'output':
      return { ...v, output: appendOutput(v.output, e.text) };
    case 'command-end':
      return v.command ? { ...v, command: { ...v.command, typed: undefined, exit: { code: e.code, interrupted: e.interrupted } } } : v;
    case 'progress':
      return { ...v, progress: e.progress };
    case 'engine':
      return { ...v, engine: { up: e.up, message: e.message }, judging: false };
    case 'reset': {
      const removed = e.removed.length ? `removed ${e.removed.length} thing${e.removed.length === 1 ? '' : 's'} the lab made` : 'nothing of the lab was left';
      const kept = e.foreign.length ? `; left alone ${e.foreign.map((r) => `${r.type} ${r.name}`).join(', ')} (yours)` : '';
      return { ...v, foreign: e.foreign, command: undefined, output: EMPTY_OUTPUT, notice: { text: `Lab reset: ${removed}${kept}.`, tone: 'info' } };
    }
    case 'error':
      return { ...v, judging: false, notice: { text: e.message, tone: 'error' } };
  }
}
