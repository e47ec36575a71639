import type { Lab } from '../lab/types.js';
import type { TutorEvent } from '../tutor/tutor.js';

/**
 * What a class adds to the runner inside a learner's sandbox. The entry point gives it (from what the sandbox was
 * given); the runner itself knows no class, and outside one every hook is absent.
 */
export interface ClassHooks {
  /** The labs the class offers (ids); the runner offers only those. */
  readonly labs?: readonly string[];
  /** Resolves once the class has loaded the lab images into this sandbox (so they are not built here), or at once. */
  readonly imagesLoading?: ImagesLoading;
  /** Where a lab session's events go besides the screen (the instructor's dashboard). */
  readonly progressFor?: (lab: Lab) => Promise<(event: TutorEvent) => void>;
}

/** Waits while someone else loads the lab images, saying so through `say`. */
export type ImagesLoading = (say: (line: string) => void) => Promise<void>;

/** What every command gets from the CLI shell: where things are, how to print, whether to ask. */
export interface CliContext {
  readonly labsDir: string;
  readonly stateDir: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly color: boolean;
  /** stdout is a terminal: live displays instead of plain lines. */
  readonly live: boolean;
  readonly yes: boolean;
  readonly confirm: (question: string) => Promise<boolean>;
  /** In a class's sandbox: what the class adds (labs offered, images loaded for the learner, progress reported). */
  readonly class?: ClassHooks;
}
