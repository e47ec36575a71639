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

export function parseDockerHost(url: string, source: string): Endpoint {
  if (url.startsWith('unix://')) return { url, socketPath: url.slice('unix://'.length), source };
  const m = /^(?:tcp|http):\/\/([^:/]+)(?::(\d+))?/.exec(url);
  if (m) return { url, host: m[1], port: Number(m[2] ?? 2375), source };
  throw new UserError(`DOCKER_HOST=${url} is not a unix:// or tcp:// address; lean-labs cannot talk to it.`);
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
