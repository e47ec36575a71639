/** Docker failures translated for the person at the keyboard. */

export class EngineUnreachableError extends Error {
  constructor(endpoint: string, cause: string) {
    super(
      `No Docker engine answers at ${endpoint} (${cause}).\n` +
        '  Start one: `sudo npx lean-labs engine up` on Linux, or start Docker Desktop; `npx lean-labs doctor` tells more.',
    );
    this.name = 'EngineUnreachableError';
  }
}

export class DockerError extends Error {
  readonly statusCode: number | undefined;
  constructor(message: string, statusCode?: number) {
    super(message);
    this.name = 'DockerError';
    this.statusCode = statusCode;
  }
}

const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE']);

/** Turns a dockerode/socket error into one of ours; `what` says what we were doing. */
export function translate(err: unknown, endpoint: string, what: string): Error {
  const e = err as { code?: string; statusCode?: number; json?: { message?: string }; message?: string };
  if (e.code && UNREACHABLE.has(e.code)) {
    const cause = e.code === 'EACCES' ? 'permission denied: run as root or join the docker group' : e.code;
    return new EngineUnreachableError(endpoint, cause);
  }
  const detail = e.json?.message ?? e.message ?? String(err);
  return new DockerError(`${what}: ${detail.trim()}`, e.statusCode);
}

export function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 404;
}
