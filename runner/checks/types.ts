import type { Requirement } from '../lab/requirement-names.js';
import type { DockerPort } from '../docker/port.js';

/** How a check field is written in a lab file, and how it is turned into a value. */
export type FieldType =
  | 'string'
  | 'number'
  | 'boolean'
  | 'strings'
  | 'size'
  | 'pattern'
  | 'duration'
  /** A restart policy: `on-failure:3`, or a mapping `{ name: on-failure, maxRetries: 3 }`. */
  | 'restart'
  | { readonly oneOf: readonly string[] };

export interface FieldSpec {
  readonly type: FieldType;
  readonly required?: boolean;
  readonly doc: string;
  /** For text fields (and each item of a list): what is wrong with a value, with what to write instead. */
  readonly valid?: (item: string) => { readonly error: string; readonly fix: string } | undefined;
  /** What the engine must have for this field to mean anything; on an engine without it the field is not judged. */
  readonly requires?: Requirement;
}

/** What judging a check found: pass or fail, and what was expected versus found, for the learner. */
export interface CheckOutcome {
  readonly pass: boolean;
  readonly expected: string;
  readonly found: string;
}

export interface CheckContext {
  readonly docker: DockerPort;
  /** Labels for anything a check must create itself (helper containers). */
  readonly labels: Readonly<Record<string, string>>;
  /** Image used for helper containers (needs busybox wget/readlink/cat). */
  readonly helperImage: string;
  /** When this run of the lab began (ms), less the clocks' slack: event checks count from here. */
  readonly since: number;
  /** When the session opened (ms, on the engine's clock): a container removed before then belongs to an earlier run. */
  readonly opened?: number;
  /** Values measured by earlier checks of this session, by name (see the `rate` kind). */
  readonly measurements?: Measurements;
  /** The lab's working folder, where its commands run: `shell` checks run there too. */
  readonly workDir?: string;
  /** How long an exact figure must hold to count as settled (default SETTLE_MS in engine/judge.ts). */
  readonly settleMs?: number;
}

/** Named numbers a check records for a later step of the same session to compare against. */
export interface Measurements {
  get(name: string): number | undefined;
  set(name: string, value: number): void;
}

/**
 * How a kind's finding settles. A passing finding counts only when no container in `containers` is restarting
 * (or was just brought back by its restart policy) and, with `repeat`, when it reads the same again SETTLE_MS later.
 */
export interface Settling {
  /** Containers whose restart loop would let the finding pass in a moment that does not last. */
  readonly containers: readonly string[];
  /** The finding is a figure that keeps moving by itself (a count, a health status, a size): read it twice. */
  readonly repeat: boolean;
}

/** A finding that cannot pass through a value: configuration the engine fixed when the thing was made. */
export const FIXED: Settling = { containers: [], repeat: false };

/** One kind of check: its fields, a one-line description, and how it is judged against the engine. */
export interface CheckKind {
  readonly kind: string;
  readonly doc: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /** Fields of which at least one must be given (otherwise the check asserts nothing). */
  readonly oneOf?: readonly string[];
  /** What the check looks at, written one of these ways (each a set of fields given together). */
  readonly targets?: ReadonlyArray<readonly string[]>;
  describe(fields: Readonly<Record<string, unknown>>): string;
  /**
   * What could make this check pass for a moment on its way to a wrong state, so the judge can wait it out
   * (engine/judge.ts): every kind says, so no kind is left to pass on a transient reading.
   */
  settles(fields: Readonly<Record<string, unknown>>): Settling;
  evaluate(fields: Readonly<Record<string, unknown>>, ctx: CheckContext): Promise<CheckOutcome>;
}
