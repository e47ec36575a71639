/**
 * The two Engine API calls a class sandbox's agent makes on its own engine's socket, without the full client: a
 * sandbox's memory is the learner's, and loading dockerode costs the agent tens of MB for two requests.
 */
import { request, type IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

function call(socketPath: string, method: string, path: string, body?: Readable, timeoutMs?: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    // No shared agent: Node's default one gives each socket a 5 s idle timeout, and an engine loading a large image
    // is silent for longer than that between two lines of its answer. Only a call that asks for a timeout has one.
    const req = request({ socketPath, method, path, agent: false, headers: body ? { 'content-type': 'application/x-tar' } : {}, timeout: timeoutMs }, resolve);
    if (timeoutMs !== undefined) req.on('timeout', () => req.destroy(new Error(`no answer from the engine within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (body) body.pipe(req);
    else req.end();
  });
}

async function text(res: IncomingMessage): Promise<string> {
  let out = '';
  for await (const c of res) out += (c as Buffer).toString('utf8');
  return out;
}

/** Whether the engine on this socket answers its ping. */
export async function engineAnswers(socketPath: string): Promise<boolean> {
  try {
    const res = await call(socketPath, 'GET', '/_ping', undefined, 3000);
    return res.statusCode === 200 && (await text(res)).trim() === 'OK';
  } catch {
    return false;
  }
}

/** `docker load` of a tar stream; rejects with the engine's own words when it refuses. */
export async function loadImageTar(socketPath: string, tar: Readable): Promise<void> {
  const res = await call(socketPath, 'POST', '/images/load?quiet=1', tar);
  const answer = await text(res);
  const error = answer
    .split('\n')
    .map((l) => {
      try {
        return (JSON.parse(l) as { error?: string }).error;
      } catch {
        return undefined;
      }
    })
    .find(Boolean);
  if (res.statusCode !== 200 || error) throw new Error(`the engine did not load the images: ${error ?? `HTTP ${res.statusCode} ${answer.slice(0, 200)}`}`);
}
