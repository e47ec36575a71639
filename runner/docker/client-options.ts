import { existsSync, readFileSync } from 'node:fs';
import type { Agent as HttpsAgent } from 'node:https';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { UserError } from '../errors.js';
import type { Endpoint, TlsFiles } from './endpoint.js';
import { sshDialAgent } from './ssh-dial.js';

interface TlsMaterial {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

function readTls(files: TlsFiles, source: string): TlsMaterial {
  if (!existsSync(files.dir))
    throw new UserError(`${source} asks for TLS, but the certificate folder ${files.dir} does not exist.\n  Set DOCKER_CERT_PATH to the folder holding ca.pem, cert.pem and key.pem.`);
  const read = (name: string) => (existsSync(join(files.dir, name)) ? readFileSync(join(files.dir, name)) : undefined);
  const m = { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
  if (files.verify && !m.ca)
    throw new UserError(
      `${source} asks for a verified TLS engine (DOCKER_TLS_VERIFY), but ${files.dir} holds no ca.pem to verify it with.\n  Put the engine's CA certificate there, or set DOCKER_CERT_PATH to the folder that has it.`,
    );
  if (Boolean(m.cert) !== Boolean(m.key)) throw new UserError(`${files.dir} holds ${m.cert ? 'cert.pem but no key.pem' : 'key.pem but no cert.pem'}: a client certificate needs both.`);
  return m;
}

/**
 * Node's https (and tls under it) is loaded here only when an engine needs it: loading it costs the runner's first
 * frame about 10 ms, and a local socket never uses it.
 */
const httpsAgent = (): typeof HttpsAgent => (createRequire(import.meta.url)('node:https') as typeof import('node:https')).Agent;

/** How dockerode reaches the endpoint: a socket, plain tcp, tcp with TLS, or ssh through the user's ssh client. */
export function clientOptions(e: Endpoint): Docker.DockerOptions {
  if (e.socketPath) return { socketPath: e.socketPath };
  if (e.ssh) return { protocol: 'http', host: e.ssh.host, port: 2375, agent: sshDialAgent(e.ssh) } as Docker.DockerOptions;
  if (e.tls) {
    const m = readTls(e.tls, e.source);
    const base = { protocol: 'https' as const, host: e.host, port: e.port, ...m };
    // DOCKER_TLS without _VERIFY: encrypted, the engine's certificate taken as it is (as the docker CLI does).
    return e.tls.verify ? base : ({ ...base, agent: new (httpsAgent())({ rejectUnauthorized: false, ...m }) } as Docker.DockerOptions);
  }
  // Said outright: dockerode would otherwise guess https from port 2376.
  return { protocol: 'http', host: e.host, port: e.port };
}
