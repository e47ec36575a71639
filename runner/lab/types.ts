import type { Requirement } from './requirement-names.js';
/** The data model of a lab: what the parser produces and the engine consumes. */

export const LAB_FORMAT_VERSION = 1;

/** Where something came from in a lab file, for `file:line` messages. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
}

/** A check as written by the author: its kind plus the kind's own fields. */
export interface CheckSpec {
  readonly kind: string;
  readonly fields: Readonly<Record<string, unknown>>;
  /** Extra learner-facing sentence shown when the check fails. */
  readonly message?: string;
  /** The author's name for the check, shown instead of what its kind says it checks. */
  readonly title?: string;
  /** After the step, keep re-judging for up to this many ms before calling it failed. */
  readonly withinMs: number;
  /**
   * Something that must stay true through the step (the app was not restarted): it may already pass before the
   * step. A step needs at least one ordinary check besides; a mistake test shows the guard can fail.
   */
  readonly guard: boolean;
  /** What the engine must have for this check to mean anything; on an engine without it the check is left out. */
  readonly requires?: readonly Requirement[];
  readonly pos: SourcePos;
}

export interface CommandBlock {
  readonly text: string;
  readonly pos: SourcePos;
}

export interface Step {
  readonly id: string;
  readonly index: number;
  readonly title: string;
  /** Markdown prose (everything that is not a lab directive), in source order. */
  readonly body: string;
  readonly commands: readonly CommandBlock[];
  /** What verify and "solve" run; the step's commands unless the author gave a solution block. */
  readonly solution: readonly CommandBlock[];
  readonly checks: readonly CheckSpec[];
  readonly hints: readonly string[];
  readonly setup: readonly CommandBlock[];
  readonly cleanup: readonly CommandBlock[];
  /** The step states its goal and shows no command: the learner works it out, led by its hints (`s` still solves it). */
  readonly challenge: boolean;
  /** Set for the engine at hand: why some of the step's checks were left out there (checksForEngine). */
  readonly notHere?: readonly string[];
  readonly pos: SourcePos;
}

/** Names of engine resources the learner creates by typing the lab's commands. */
export interface DeclaredResources {
  readonly containers: readonly string[];
  readonly volumes: readonly string[];
  readonly networks: readonly string[];
  readonly images: readonly string[];
  /** Compose project names; their containers, networks and volumes are found by label. */
  readonly compose: readonly string[];
}

export type ResourceKind = keyof DeclaredResources;

export const RESOURCE_KINDS: readonly ResourceKind[] = ['containers', 'volumes', 'networks', 'images', 'compose'];

export interface Lab {
  readonly format: number;
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly durationMinutes: number;
  /** Where the lab comes in the list (curriculum order); labs without one follow, by id. */
  readonly order?: number;
  /** Lab image names (folders of images/) the lab needs. */
  readonly images: readonly string[];
  readonly resources: DeclaredResources;
  /** Host features the lab needs (swap-limit, cpu-quota, …): checked before it starts. */
  readonly requires: readonly Requirement[];
  /** Why the lab cannot run on Podman's Docker-compatible API (absent: it can): said before it starts there. */
  readonly podman?: string;
  /** Prose before the first step. */
  readonly intro: string;
  readonly steps: readonly Step[];
  /** Commands run after the last step (and by reset) before resources are removed. */
  readonly cleanup: readonly CommandBlock[];
  /** What the lab means in production today, shown when it is done (Markdown). */
  readonly takeaway?: string;
  readonly file: string;
  readonly dir: string;
}
