/**
 * A failure the program anticipates, raised where it happens with a message written for the person at the
 * keyboard: the CLI prints that message, never a stack. Anything that is not a UserError is a bug.
 */
export class UserError extends Error {
  /** The exit code the CLI ends with: 1 for a failure, 2 for wrong words or a malformed lab. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}
