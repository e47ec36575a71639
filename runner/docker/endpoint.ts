import { UserError } from '../errors.js';
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the engine is, and why we chose it: doctor prints both. */
export interface Endpoint {
  /** `unix:///var/run/docker.sock`, `tcp://host:2375`, … */
  readonly url: string;
  readonly socketPath?: string;
  readonly host?: string;
  readonly port?: number;
  readonly source: string;
}

const DEFAULT_SOCKETS = ['/var/run/docker.sock', join(homedir(), '.docker/run/docker.sock')];

/** A DOCKER_HOST (or context) value lean-labs cannot use: says what is wrong with it and what to write instead. */
export class EndpointError extends UserError {
  constructor(source: string, value: string, problem: string, fix = 'Write it as unix:///path/to/docker.sock or tcp://host:port, or unset it to use the local engine.') {
    super(`${source === 'DOCKER_HOST' ? `DOCKER_HOST=${value}` : `The address "${value}" of ${source}`} ${problem}.\n  ${fix}`);
  }
}

export function parseDockerHost(value: string, source: string): Endpoint {
  const url = value.trim();
  if (url.startsWith('unix://')) {
    const socketPath = url.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new EndpointError(source, value, 'names no socket path (it needs three slashes: unix:///var/run/docker.sock)');
    return { url, socketPath, source };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'ssh')
    throw new EndpointError(source, value, 'is an ssh:// address, which lean-labs cannot use yet',
      'Forward the engine\'s socket instead: `ssh -nNT -L /tmp/docker.sock:/var/run/docker.sock user@host &`, then DOCKER_HOST=unix:///tmp/docker.sock.');
  if (scheme === 'npipe') throw new EndpointError(source, value, 'is a Windows named pipe, which lean-labs cannot use', 'Run lean-labs inside WSL 2 with Docker Desktop\'s WSL integration, or point DOCKER_HOST at tcp://.');
  if (scheme !== 'tcp' && scheme !== 'http')
    throw new EndpointError(source, value, scheme ? `uses the scheme ${scheme}://, which is not an engine address` : 'is not an address (it has no scheme such as unix:// or tcp://)');
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/^[a-z]+:/i, 'http:'));
  } catch {
    const port = /:(\d*)(?:\/|$)/.exec(url.slice(scheme.length + 3))?.[1];
    if (port !== undefined && (port === '' || Number(port) > 65535))
      throw new EndpointError(source, value, `has "${port}" as its port, which is not a port number (1 to 65535)`);
    throw new EndpointError(source, value, 'is not a valid tcp:// address (an IPv6 host goes in brackets: tcp://[::1]:2375)');
  }
  if (!parsed.hostname) throw new EndpointError(source, value, 'names no host');
  if (parsed.port === '0') throw new EndpointError(source, value, 'has 0 as its port, which no engine listens on');
  if (parsed.pathname !== '/' && parsed.pathname !== '')
    throw new EndpointError(source, value, `has a path (${parsed.pathname}) after the port, which an engine address does not take`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return { url, host, port: parsed.port ? Number(parsed.port) : 2375, source };
}

/** The endpoint of the docker CLI's current context, as the CLI stores it. */
function contextEndpoint(env: NodeJS.ProcessEnv): Endpoint | undefined {
  const configDir = env.DOCKER_CONFIG ?? join(homedir(), '.docker');
  let context = env.DOCKER_CONTEXT;
  if (!context) {
    try {
      context = (JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as { currentContext?: string })
        .currentContext;
    } catch {
      return undefined;
    }
  }
  if (!context || context === 'default') return undefined;
  const hash = createHash('sha256').update(context).digest('hex');
  try {
    const meta = JSON.parse(readFileSync(join(configDir, 'contexts/meta', hash, 'meta.json'), 'utf8')) as {
      Endpoints?: { docker?: { Host?: string } };
    };
    const host = meta.Endpoints?.docker?.Host;
    return host ? parseDockerHost(host, `docker context "${context}"`) : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves the engine the same way the docker CLI would: DOCKER_HOST, then the current context, then sockets. */
export function resolveEndpoint(env: NodeJS.ProcessEnv = process.env): Endpoint {
  if (env.DOCKER_HOST) return parseDockerHost(env.DOCKER_HOST, 'DOCKER_HOST');
  const fromContext = contextEndpoint(env);
  if (fromContext) return fromContext;
  const found = DEFAULT_SOCKETS.find((p) => existsSync(p)) ?? DEFAULT_SOCKETS[0]!;
  return { url: `unix://${found}`, socketPath: found, source: 'default socket' };
}
