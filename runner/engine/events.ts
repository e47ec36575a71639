import type { CheckOutcome } from '../checks/types.js';
import type { CheckSpec, Lab, Step } from '../lab/types.js';
import type { Resource } from './resources.js';

/**
 * Everything a run of a lab reports, as one stream. The Ink UI, the headless reporters and the
 * benchmarks all read these; none of them talks to Docker.
 */
export type Phase = 'before' | 'after';
export type CommandPhase = 'setup' | 'solution' | 'cleanup';

export type LabEvent =
  | { readonly kind: 'lab-start'; readonly lab: Lab; readonly session: string }
  | { readonly kind: 'images-ready'; readonly lab: Lab; readonly images: readonly string[]; readonly ms: number }
  | { readonly kind: 'reclaimed'; readonly lab: Lab; readonly resources: readonly Resource[] }
  | { readonly kind: 'step-start'; readonly lab: Lab; readonly step: Step }
  | { readonly kind: 'command'; readonly lab: Lab; readonly step?: Step; readonly phase: CommandPhase; readonly text: string }
  | { readonly kind: 'output'; readonly lab: Lab; readonly step?: Step; readonly stream: 'stdout' | 'stderr'; readonly text: string }
  | {
      readonly kind: 'check';
      readonly lab: Lab;
      readonly step: Step;
      readonly check: CheckSpec;
      readonly index: number;
      readonly phase: Phase;
      readonly outcome: CheckOutcome;
      readonly ms: number;
    }
  | { readonly kind: 'step-end'; readonly lab: Lab; readonly step: Step; readonly ok: boolean; readonly commandProblems: readonly string[]; readonly ms: number }
  | {
      readonly kind: 'cleanup';
      readonly lab: Lab;
      readonly removed: readonly Resource[];
      readonly residue: readonly Resource[];
      /** Anonymous volumes the lab's commands left behind by removing containers without -v (then removed). */
      readonly orphaned?: readonly Resource[];
    }
  | {
      readonly kind: 'lab-end';
      readonly lab: Lab;
      readonly ok: boolean;
      readonly ms: number;
      readonly error?: string;
      /** Why this engine cannot run the lab, told before anything ran (the lab's requirements). */
      readonly unsupported?: readonly string[];
    }
  | { readonly kind: 'skipped'; readonly lab: Lab; readonly reason: string };

export type Emit = (event: LabEvent) => void;
