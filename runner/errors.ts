/** A failure the person at the keyboard can act on: the CLI prints its message, never a stack. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Error names (from every module) that are expected failures with a message written for the learner. */
export const EXPECTED_ERRORS = new Set([
  'UserError',
  'LabFormatError',
  'EngineUnreachableError',
  'UnknownLabError',
  'ResourceClashError',
  'ImagesFailedError',
  'DockerError',
  'CommandError',
  'BuildError',
]);
