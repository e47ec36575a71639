/**
 * A stand-in engine for unit tests of code that speaks the Engine API: an HTTP server on a unix socket in a
 * temporary folder, answering as the test's handler says. A test file closes what it started with
 * `afterEach(closeStandInEngines)`.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const started: Array<{ server: Server; dir: string }> = [];

/** Starts one; returns its socket's path. */
export async function standInEngine(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'll-engine-'));
  const socket = join(dir, 'docker.sock');
  const server = createServer(handler);
  started.push({ server, dir });
  await new Promise<void>((r) => server.listen(socket, () => r()));
  return socket;
}

/** Closes every stand-in engine started so far and removes its folder. */
export async function closeStandInEngines(): Promise<void> {
  for (const { server, dir } of started.splice(0)) {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
}
