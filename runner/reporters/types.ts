import type { LabEvent } from '../engine/events.js';

/** A front-end for headless runs: it sees every event, then finishes (and may write a file). */
export interface Reporter {
  onEvent(e: LabEvent): void;
  /** Prints or writes its summary; returns the failed count. */
  finish(): number;
}

export interface ReporterOptions {
  readonly write: (text: string) => void;
  readonly color: boolean;
  /** For reporters that write a file (junit). */
  readonly outFile?: string;
}
