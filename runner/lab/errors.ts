import type { SourcePos } from './types.js';

/** An authoring mistake in a lab file, always tied to a `file:line` and a remedy. */
export class LabFormatError extends Error {
  readonly file: string;
  readonly line: number;
  readonly fix: string | undefined;

  constructor(pos: SourcePos, problem: string, fix?: string) {
    super(`${pos.file}:${pos.line}: ${problem}${fix ? `\n  ${fix}` : ''}`);
    this.name = 'LabFormatError';
    this.file = pos.file;
    this.line = pos.line;
    this.fix = fix;
  }
}
