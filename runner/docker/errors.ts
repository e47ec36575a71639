import { UserError } from '../errors.js';
/** Docker failures translated for the person at the keyboard. */

/** What to do about an engine that does not answer, depending on where its address came from. */
export function endpointAdvice(source: string | undefined): string {
  if (source === 'DOCKER_HOST') return 'Check that an engine listens at that address, or unset DOCKER_HOST to use the local engine.';
  if (source?.includes('Podman')) return "Start Podman's API service: `systemctl --user start podman.socket` (rootless) or `sudo podman system service --time=0 &`.";
  if (source === 'rootless Docker socket') return 'Start the rootless engine: `systemctl --user start docker`.';
  if (source?.startsWith('docker context')) return `Check the engine of ${source}, or switch with \`docker context use default\`.`;
  return 'Start one: `sudo npx lean-labs engine up` on Linux, or start Docker Desktop.';
}

export class EngineUnreachableError extends UserError {
  readonly advice: string;
  constructor(endpoint: string, cause: string, source?: string) {
    const advice = endpointAdvice(source);
    super(`No Docker engine answers at ${endpoint}${source && source !== 'default socket' ? ` (from ${source})` : ''}: ${cause}.\n  ${advice} \`npx lean-labs doctor\` tells more.`);
    this.advice = advice;
  }
}

/** Something answers at the address, but it does not speak the Engine API. */
export class NotAnEngineError extends UserError {
  readonly advice: string;
  constructor(endpoint: string, said: string, source?: string) {
    const advice =
      source === 'DOCKER_HOST'
        ? 'Point DOCKER_HOST at the engine itself (e.g. tcp://host:2375, or unix:///var/run/docker.sock), or unset it.'
        : 'Point lean-labs at the engine itself with DOCKER_HOST (e.g. unix:///var/run/docker.sock).';
    super(`Something answers at ${endpoint}, but it is not a Docker engine (it said: ${said}).\n  ${advice}`);
    this.advice = advice;
  }
}

export class DockerError extends UserError {
  readonly statusCode: number | undefined;
  constructor(message: string, statusCode?: number) {
    super(message);
    this.statusCode = statusCode;
  }
}

/** Socket errors that mean no engine answers there, with what each means in words. */
const CAUSES: Record<string, string> = {
  ENOENT: 'the socket does not exist',
  ECONNREFUSED: 'connection refused',
  EACCES: 'permission denied: run as root or join the docker group',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
  ENOTFOUND: 'the host name does not resolve',
  ETIMEDOUT: 'the connection timed out',
  EPIPE: 'the connection broke',
};

/** TLS failures: the engine's certificate or ours was not accepted, or one side does not speak TLS. */
const TLS_CAUSES: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is not signed by the CA in ca.pem',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is not signed by the CA in ca.pem',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chain ends in a CA that ca.pem does not hold',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it presents a self-signed certificate that ca.pem does not hold',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is made out to another host name or address',
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet (check the clocks)',
};

/** The engine speaks TLS and the connection failed at that layer: what went wrong and what to set. */
export class EngineTlsError extends UserError {
  constructor(endpoint: string, cause: string) {
    super(
      `The engine at ${endpoint} was not trusted over TLS: ${cause}.\n` +
        "  Point DOCKER_CERT_PATH at the folder with the ca.pem that signed the engine's certificate and your cert.pem and key.pem (DOCKER_TLS_VERIFY=1), as the docker CLI uses them.",
    );
  }
}

/** Turns a dockerode/socket error into one of ours; `what` says what we were doing. */
export function translate(err: unknown, endpoint: string, what: string, source?: string): Error {
  // Already said for the learner (a missing certificate folder, say): passed on as it is.
  if (err instanceof UserError) return err;
  const e = err as { code?: string; statusCode?: number; json?: { message?: string }; message?: string };
  const cause = e.code ? CAUSES[e.code] : undefined;
  if (cause) return new EngineUnreachableError(endpoint, cause, source);
  const tls = e.code ? TLS_CAUSES[e.code] : undefined;
  if (tls) return new EngineTlsError(endpoint, tls);
  if (e.code === 'EPROTO' || /alert (bad )?certificate|certificate required/i.test(e.message ?? ''))
    return new EngineTlsError(
      endpoint,
      /wrong version number|packet length too long/i.test(e.message ?? '')
        ? 'it does not speak TLS (unset DOCKER_TLS_VERIFY and DOCKER_TLS for a plain tcp:// engine)'
        : /certificate required/i.test(e.message ?? '')
          ? 'it asks for a client certificate, and none was sent (cert.pem and key.pem)'
          : 'it refused our client certificate (cert.pem and key.pem)',
    );
  // The ssh client could not open the way to the engine (unknown host key, no key accepted, no docker there).
  if (e.code === 'ESSHDIAL') return new EngineUnreachableError(endpoint, `${e.message ?? ''}`.trim(), source);
  const detail = e.json?.message ?? e.message ?? String(err);
  return new DockerError(`${what}: ${detail.trim()}`, e.statusCode);
}

export function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 404;
}
