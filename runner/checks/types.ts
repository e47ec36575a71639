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
  /** When this run of the lab began (ms): event checks count from here. */
  readonly since: number;
  /** Values measured by earlier checks of this session, by name (see the `rate` kind). */
  readonly measurements?: Measurements;
  /** How long an exact figure must hold to count as settled (default SETTLE_MS in engine/judge.ts). */
  readonly settleMs?: number;
}

/** Named numbers a check records for a later step of the same session to compare against. */
export interface Measurements {
  get(name: string): number | undefined;
  set(name: string, value: number): void;
}

/** One kind of check: its fields, a one-line description, and how it is judged against the engine. */
export interface CheckKind {
  readonly kind: string;
  readonly doc: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /** Fields of which at least one must be given (otherwise the check asserts nothing). */
  readonly oneOf?: readonly string[];
  describe(fields: Readonly<Record<string, unknown>>): string;
  /**
   * For checks that assert an exact figure (a count of events, log lines, containers): whether these fields do,
   * and the container whose restarts would make the figure pass through the right value on its way elsewhere.
   * Such a check passes only on a settled state: the same finding twice, SETTLE_MS apart, nothing restarting.
   */
  settles?(fields: Readonly<Record<string, unknown>>): { readonly container?: string } | undefined;
  evaluate(fields: Readonly<Record<string, unknown>>, ctx: CheckContext): Promise<CheckOutcome>;
}
