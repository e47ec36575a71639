import { UserError } from '../errors.js';
import type { SourcePos } from './types.js';

/** An authoring mistake in a lab file, always tied to a `file:line` and a remedy. */
export class LabFormatError extends UserError {
  readonly file: string;
  readonly line: number;
  readonly fix: string | undefined;

  constructor(pos: SourcePos, problem: string, fix?: string) {
    super(`${pos.file}:${pos.line}: ${problem}${fix ? `\n  ${fix}` : ''}`, 2);
    this.file = pos.file;
    this.line = pos.line;
    this.fix = fix;
  }
}
