import type { Agent, AgentOptions } from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { dialProcess } from '../host/run.js';
import type { SshTarget } from './endpoint.js';

/**
 * The ssh client's arguments to reach the engine behind `target`, as the docker CLI does it: the user's own ssh
 * (their config, known hosts, keys and agent) runs `docker system dial-stdio` there, and the API is spoken over it.
 * BatchMode: lean-labs cannot answer a password or host-key prompt; the error says what ssh wanted instead.
 */
export function sshArgs(target: SshTarget): string[] {
  return [
    '-T',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=10',
    ...(target.user ? ['-l', target.user] : []),
    ...(target.port ? ['-p', String(target.port)] : []),
    '--',
    target.host,
    'docker',
    'system',
    'dial-stdio',
  ];
}

/**
 * An HTTP agent whose connections are `ssh … docker system dial-stdio` processes. Each costs an ssh handshake, so
 * they are kept and reused (keep-alive), and only a few are open at once: sshd drops bursts of new connections
 * (MaxStartups), and a burst of parallel checks would otherwise make one each. Its class is made on first use: it
 * extends Node's http Agent, and loading http costs the runner's first screen about 10 ms that a local engine never
 * needs.
 */
export function sshDialAgent(target: SshTarget, opts: AgentOptions = {}): Agent {
  const { Agent: HttpAgent } = createRequire(import.meta.url)('node:http') as typeof import('node:http');
  class SshDialAgent extends HttpAgent {
    override createConnection(): Duplex {
      const stream = dialProcess('ssh', sshArgs(target));
      // The HTTP client treats the stream as a socket: these are no-ops on a pipe.
      const socketLike = stream as Duplex & Record<string, unknown>;
      for (const m of ['setTimeout', 'setNoDelay', 'setKeepAlive', 'ref', 'unref']) socketLike[m] ??= () => stream;
      return stream;
    }
  }
  return new SshDialAgent({ keepAlive: true, maxSockets: 6, maxFreeSockets: 6, ...opts });
}
