import { UserError } from '../errors.js';
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the engine is, and why we chose it: doctor prints both. */
export interface Endpoint {
  /** `unix:///var/run/docker.sock`, `tcp://host:2375`, `ssh://user@host`, … */
  readonly url: string;
  readonly socketPath?: string;
  readonly host?: string;
  readonly port?: number;
  readonly source: string;
  /** tcp:// with TLS, as the docker CLI sets it up (DOCKER_TLS_VERIFY / DOCKER_CERT_PATH, or a context's files). */
  readonly tls?: TlsFiles;
  /** ssh://[user@]host[:port]: reached by running `docker system dial-stdio` there through the ssh client. */
  readonly ssh?: SshTarget;
}

export interface TlsFiles {
  /** Folder holding ca.pem, cert.pem and key.pem (any may be missing: then it is not sent). */
  readonly dir: string;
  /** Check the engine's certificate against ca.pem (DOCKER_TLS_VERIFY); false only encrypts (DOCKER_TLS). */
  readonly verify: boolean;
}

export interface SshTarget {
  readonly host: string;
  readonly user?: string;
  readonly port?: number;
}

/**
 * Where an engine's socket is when nothing names one, in the order lean-labs looks: Docker run as root, rootless
 * Docker, Docker Desktop, then Podman's Docker-compatible API (as root, then rootless).
 */
export function localSockets(env: NodeJS.ProcessEnv = process.env): Array<{ path: string; source: string }> {
  const runtime = env.XDG_RUNTIME_DIR;
  return [
    { path: '/var/run/docker.sock', source: 'default socket' },
    ...(runtime ? [{ path: join(runtime, 'docker.sock'), source: 'rootless Docker socket' }] : []),
    { path: join(env.HOME || homedir(), '.docker/run/docker.sock'), source: 'Docker Desktop socket' },
    { path: '/run/podman/podman.sock', source: 'Podman socket' },
    ...(runtime ? [{ path: join(runtime, 'podman/podman.sock'), source: 'rootless Podman socket' }] : []),
  ];
}

/** A DOCKER_HOST (or context) value lean-labs cannot use: says what is wrong with it and what to write instead. */
export class EndpointError extends UserError {
  constructor(source: string, value: string, problem: string, fix = 'Write it as unix:///path/to/docker.sock, tcp://host:port or ssh://user@host, or unset it to use the local engine.') {
    super(`${source === 'DOCKER_HOST' ? `DOCKER_HOST=${value}` : `The address "${value}" of ${source}`} ${problem}.\n  ${fix}`);
  }
}

function parseSsh(url: string, value: string, source: string): SshTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EndpointError(source, value, 'is not a valid ssh:// address', 'Write it as ssh://user@host or ssh://user@host:2222.');
  }
  if (!parsed.hostname) throw new EndpointError(source, value, 'names no host', 'Write it as ssh://user@host or ssh://user@host:2222.');
  if (parsed.password) throw new EndpointError(source, value, 'holds a password', 'Use a key (ssh-agent or ~/.ssh/config), as the docker CLI does; lean-labs never sends passwords.');
  if (parsed.pathname !== '/' && parsed.pathname !== '')
    throw new EndpointError(source, value, `has a path (${parsed.pathname}), which an ssh:// engine address does not take`, 'Write it as ssh://user@host.');
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    ...(parsed.username ? { user: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.port ? { port: Number(parsed.port) } : {}),
  };
}

/** The docker CLI's configuration folder (contexts, and the default place of TLS files). */
const dockerConfigDir = (env: NodeJS.ProcessEnv): string => env.DOCKER_CONFIG ?? join(homedir(), '.docker');

/** TLS as the docker CLI reads it from the environment: DOCKER_TLS_VERIFY verifies, DOCKER_TLS only encrypts. */
export function tlsFromEnv(env: NodeJS.ProcessEnv): TlsFiles | undefined {
  const verify = Boolean(env.DOCKER_TLS_VERIFY);
  if (!verify && !env.DOCKER_TLS) return undefined;
  return { dir: env.DOCKER_CERT_PATH || dockerConfigDir(env), verify };
}

export function parseDockerHost(value: string, source: string, tls?: TlsFiles): Endpoint {
  const url = value.trim();
  if (url.startsWith('unix://')) {
    const socketPath = url.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new EndpointError(source, value, 'names no socket path (it needs three slashes: unix:///var/run/docker.sock)');
    return { url, socketPath, source };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'ssh') return { url, ssh: parseSsh(url, value, source), source };
  if (scheme === 'npipe')
    throw new EndpointError(source, value, 'is a Windows named pipe, which lean-labs cannot use', "Run lean-labs inside WSL 2 with Docker Desktop's WSL integration, or point DOCKER_HOST at tcp://.");
  if (scheme !== 'tcp' && scheme !== 'http')
    throw new EndpointError(source, value, scheme ? `uses the scheme ${scheme}://, which is not an engine address` : 'is not an address (it has no scheme such as unix:// or tcp://)');
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/^[a-z]+:/i, 'http:'));
  } catch {
    const port = /:(\d*)(?:\/|$)/.exec(url.slice(scheme.length + 3))?.[1];
    if (port !== undefined && (port === '' || Number(port) > 65535)) throw new EndpointError(source, value, `has "${port}" as its port, which is not a port number (1 to 65535)`);
    throw new EndpointError(source, value, 'is not a valid tcp:// address (an IPv6 host goes in brackets: tcp://[::1]:2375)');
  }
  if (!parsed.hostname) throw new EndpointError(source, value, 'names no host');
  if (parsed.port === '0') throw new EndpointError(source, value, 'has 0 as its port, which no engine listens on');
  if (parsed.pathname !== '/' && parsed.pathname !== '') throw new EndpointError(source, value, `has a path (${parsed.pathname}) after the port, which an engine address does not take`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  // As with the docker CLI, a TLS engine's port defaults to 2376.
  return { url, host, port: parsed.port ? Number(parsed.port) : tls ? 2376 : 2375, source, ...(tls ? { tls } : {}) };
}

/** The endpoint of the docker CLI's current context, as the CLI stores it. */
function contextEndpoint(env: NodeJS.ProcessEnv): Endpoint | undefined {
  const configDir = dockerConfigDir(env);
  let context = env.DOCKER_CONTEXT;
  if (!context) {
    try {
      context = (JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as { currentContext?: string }).currentContext;
    } catch {
      return undefined;
    }
  }
  if (!context || context === 'default') return undefined;
  const hash = createHash('sha256').update(context).digest('hex');
  try {
    const meta = JSON.parse(readFileSync(join(configDir, 'contexts/meta', hash, 'meta.json'), 'utf8')) as {
      Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
    };
    const docker = meta.Endpoints?.docker;
    if (!docker?.Host) return undefined;
    // A context made with --docker "host=tcp://…,ca=…,cert=…,key=…" keeps its TLS files here.
    const tlsDir = join(configDir, 'contexts/tls', hash, 'docker');
    const tls = ['ca.pem', 'cert.pem', 'key.pem'].some((f) => existsSync(join(tlsDir, f))) ? { dir: tlsDir, verify: !docker.SkipTLSVerify } : undefined;
    return parseDockerHost(docker.Host, `docker context "${context}"`, tls);
  } catch {
    return undefined;
  }
}

/** Resolves the engine the same way the docker CLI would: DOCKER_HOST, then the current context, then sockets. */
export function resolveEndpoint(env: NodeJS.ProcessEnv = process.env): Endpoint {
  if (env.DOCKER_HOST) return parseDockerHost(env.DOCKER_HOST, 'DOCKER_HOST', tlsFromEnv(env));
  const fromContext = contextEndpoint(env);
  if (fromContext) return fromContext;
  const sockets = localSockets(env);
  const found = sockets.find((s) => existsSync(s.path)) ?? sockets[0]!;
  return { url: `unix://${found.path}`, socketPath: found.path, source: found.source };
}

/** The endpoint in one line for doctor: the address, how it is reached, and where lean-labs found it. */
export function describeEndpoint(e: Endpoint): string {
  const how = e.tls
    ? e.tls.verify
      ? `, TLS verified against ca.pem in ${e.tls.dir}`
      : `, TLS without verifying the engine's certificate (DOCKER_TLS), client certificate from ${e.tls.dir}`
    : e.ssh
      ? ', through your ssh client running `docker system dial-stdio` there'
      : '';
  return `${e.url}${how} (from ${e.source})`;
}
