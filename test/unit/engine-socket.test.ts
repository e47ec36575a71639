/**
 * The sandbox agent's two Engine API calls, against a stand-in engine on a unix socket in a temporary folder (the
 * class tests load real images into real sandboxes). An engine loading a large image answers its first line, then
 * says nothing for as long as the next layer takes: the call must wait for it, however long.
 */
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { engineAnswers, loadImageTar } from '../../runner/docker/engine-socket.js';
import { closeStandInEngines, standInEngine as engine } from './stand-in-engine.js';

afterEach(closeStandInEngines);

describe("the agent's engine socket", () => {
  it("waits through a silence longer than Node's 5 s idle timeout while the engine loads, and reads the whole answer", async () => {
    let received = 0;
    const socket = await engine((req, res) => {
      req.on('data', (c: Buffer) => (received += c.length));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"stream":"Loaded image: a:1\\n"}\n');
        setTimeout(() => res.end('{"stream":"Loaded image: b:1\\n"}\n'), 6500);
      });
    });
    await loadImageTar(socket, Readable.from([Buffer.alloc(1024 * 1024)]));
    expect(received).toBe(1024 * 1024);
  }, 15_000);

  it('says what the engine refused', async () => {
    const socket = await engine((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200).end('{"errorDetail":{"message":"bad tar"},"error":"bad tar"}\n'));
    });
    await expect(loadImageTar(socket, Readable.from([Buffer.from('not a tar')]))).rejects.toThrow(/did not load the images: bad tar/);
  });

  it('pings with a timeout: an engine that does not answer is not up', async () => {
    const socket = await engine(() => undefined);
    const t0 = Date.now();
    expect(await engineAnswers(socket)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await engineAnswers(join(dirname(socket), 'none.sock'))).toBe(false);
  });
});
