import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerAdapter } from '../../runner/docker/adapter.js';
import { BuildError } from '../../runner/docker/build-stream.js';
import { cli, docker, removeContainers, ROOT } from './helpers.js';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** The lab images, built from a fresh engine and exercised on real containers. */
const NET = 'llt-img';
const NAMES = ['llt-be1', 'llt-be2', 'llt-amb', 'llt-amb7', 'llt-client', 'llt-nweb', 'llt-ndbg', 'llt-redis', 'llt-rng', 'llt-hasher', 'llt-worker', 'llt-webui'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (bounded) until a container's log says something, e.g. that a capture is listening. */
async function waitForLog(container: string, text: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const { stdout, stderr } = await execFileP('docker', ['logs', container]);
    if ((stdout + stderr).includes(text)) return;
    await sleep(200);
  }
  throw new Error(`${container} never logged "${text}"`);
}

async function inNet(...args: string[]): Promise<string> {
  return docker('run', '--rm', '--network', NET, 'lean-labs/busybox', ...args);
}

beforeAll(async () => {
  const built = await cli(['images', 'build', '--yes']);
  expect(built.code, built.stdout + built.stderr).toBe(0);
  await removeContainers(...NAMES);
  await docker('network', 'rm', NET).catch(() => undefined);
  await docker('network', 'create', NET);
}, 900_000);

afterAll(async () => {
  await removeContainers(...NAMES);
  await docker('network', 'rm', NET).catch(() => undefined);
});

describe('lab images', () => {
  it('lists every image as present after a build', async () => {
    const r = await cli(['images']);
    expect(r.code).toBe(0);
    for (const name of ['busybox', 'toolbox', 'netdebug', 'web', 'redis', 'hamba', 'logcollector', 'loganalyzer', 'backup', 'registry', 'rng', 'hasher', 'worker', 'webui', 'builder'])
      expect(r.stdout).toMatch(new RegExp(`^${name}\\s+present`, 'm'));
  });

  it('busybox is under 5 MB and carries the lean-labs labels', async () => {
    const size = Number(await docker('image', 'inspect', '-f', '{{.Size}}', 'lean-labs/busybox'));
    expect(size).toBeLessThan(5 * 1024 * 1024);
    const labels = JSON.parse(await docker('image', 'inspect', '-f', '{{json .Config.Labels}}', 'lean-labs/busybox')) as Record<string, string>;
    expect(labels['lean-labs.image']).toBe('busybox');
    expect(labels['lean-labs.images-version']).toMatch(/^[0-9a-f]{12}$/);
  });

  it('a failing Dockerfile stops with the failing step and its output', async () => {
    const adapter = new DockerAdapter();
    const err = await adapter.buildImage(join(ROOT, 'test/fixtures/broken-image'), ['Dockerfile'], 'lean-labs-test/broken:1', {}, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as Error).message).toContain('failed at step 3/4 (RUN echo "about to fail" && false)');
    expect((err as Error).message).toContain('about to fail');
    expect((err as Error).message).not.toContain('never reached');
  });

  it('hamba relays TCP, balances across two backends, and counts traffic on its stats page', async () => {
    // Each backend serves its name over HTTP (80) and greets, then echoes, on a held TCP connection (7).
    for (const n of ['llt-be1', 'llt-be2'])
      await docker(
        'run',
        '-d',
        '--name',
        n,
        '--network',
        NET,
        'lean-labs/busybox',
        'sh',
        '-c',
        `mkdir /w && echo ${n} > /w/index.html && printf '#!/bin/sh\\necho ${n}\\nexec cat\\n' > /greet && chmod +x /greet && httpd -p 80 -h /w && nc -ll -p 7 -e /greet`,
      );
    await docker('run', '-d', '--name', 'llt-amb', '--network', NET, '-e', 'ADMIN=8080', 'lean-labs/hamba', '80', 'llt-be1', '80', 'llt-be2:80');
    await sleep(500);
    const answers = new Set<string>();
    for (let i = 0; i < 6; i++) answers.add(await inNet('wget', '-q', '-O', '-', 'http://llt-amb/'));
    expect([...answers].sort()).toEqual(['llt-be1', 'llt-be2']);
    const csv = await inNet('wget', '-q', '-O', '-', 'http://llt-amb:8080/;csv');
    const sessions = (server: string) =>
      Number(
        csv
          .split('\n')
          .find((l) => l.startsWith(`backends,${server},`))
          ?.split(',')[7],
      );
    expect(sessions('backend1') + sessions('backend2')).toBeGreaterThanOrEqual(6);
  });

  it('hamba reconfigure switches backend while an open client keeps its connection, and refuses a bad config', async () => {
    await docker('run', '-d', '--name', 'llt-amb7', '--network', NET, 'lean-labs/hamba', '7', 'llt-be1', '7');
    await sleep(500);
    // A client holds one connection through the ambassador: greeted by be1, then says two lines 4 s apart.
    await docker('run', '-d', '--name', 'llt-client', '--network', NET, 'lean-labs/busybox', 'sh', '-c', '(echo one; sleep 4; echo two; sleep 1) | timeout 7 nc llt-amb7 7; true');
    await sleep(800);
    expect(await docker('exec', 'llt-amb7', 'hamba', 'reconfigure', '7', 'llt-be2', '7')).toContain('reconfigured');
    await sleep(500);
    expect(await inNet('sh', '-c', '(echo hi; sleep 1) | timeout 2 nc llt-amb7 7; true')).toBe('llt-be2\nhi');
    const bad = await docker('exec', 'llt-amb7', 'hamba', 'reconfigure', '7').catch((e: Error) => e.message);
    expect(bad).toMatch(/usage: hamba/);
    const invalid = await docker('exec', 'llt-amb7', 'hamba', 'reconfigure', '7', 'llt-be2', 'notaport').catch((e: Error) => e.message);
    expect(invalid).toMatch(/invalid; the relay keeps its old one/);
    expect(await inNet('sh', '-c', '(echo hi; sleep 1) | timeout 2 nc llt-amb7 7; true')).toBe('llt-be2\nhi');
    await docker('wait', 'llt-client');
    expect(await docker('logs', 'llt-client'), 'the old connection stayed with be1 and kept working').toBe('llt-be1\none\ntwo');
  });

  it("netdebug captures a server's traffic with only NET_RAW and NET_ADMIN, and the web image has no tcpdump", async () => {
    await docker('run', '-d', '--name', 'llt-nweb', '--network', NET, 'lean-labs/web');
    await docker(
      'run',
      '-d',
      '--name',
      'llt-ndbg',
      '--net',
      'container:llt-nweb',
      '--cap-drop',
      'ALL',
      '--cap-add',
      'NET_RAW',
      '--cap-add',
      'NET_ADMIN',
      'lean-labs/netdebug',
      'tcpdump',
      '-pni',
      'eth0',
      '-U',
      '-w',
      '/captures/web.pcap',
      'tcp port 80',
    );
    await waitForLog('llt-ndbg', 'listening on');
    // tcpdump prints "listening on" a moment before its filter is really attached, so a request made at once can go
    // unseen: ask again (up to ~8 s) until the capture file holds one, as a learner would.
    let captured = 0;
    for (let attempt = 0; attempt < 16 && captured === 0; attempt++) {
      expect(await inNet('wget', '-q', '-O', '-', 'http://llt-nweb/')).toContain('Hello from a lean container');
      await sleep(500);
      const read = await docker('exec', 'llt-ndbg', 'sh', '-c', 'tcpdump -nr /captures/web.pcap -A 2>/dev/null | grep -c "GET / HTTP" || true');
      captured = Number(read) || 0;
    }
    expect(captured).toBeGreaterThanOrEqual(1);
    // Without NET_ADMIN the capture tool is refused outright: the capabilities are really required.
    const refused = await docker('run', '--rm', '--net', 'container:llt-nweb', 'lean-labs/netdebug', 'tcpdump', '-c', '1').catch((e: Error) => e.message);
    expect(refused).toMatch(/operation not permitted/);
    await expect(docker('run', '--rm', '--entrypoint', 'sh', 'lean-labs/web', '-c', 'command -v tcpdump')).rejects.toThrow();
  });

  it("the stack services answer as specified and the worker's counter grows in Redis", async () => {
    await docker('run', '-d', '--name', 'llt-redis', '--network', NET, '--network-alias', 'redis', 'lean-labs/redis');
    await docker('run', '-d', '--name', 'llt-rng', '--network', NET, '--network-alias', 'rng', 'lean-labs/rng');
    await docker('run', '-d', '--name', 'llt-hasher', '--network', NET, '--network-alias', 'hasher', 'lean-labs/hasher');
    await docker('run', '-d', '--name', 'llt-webui', '--network', NET, 'lean-labs/webui');
    await sleep(1500);
    expect(await inNet('sh', '-c', 'wget -q -O - http://rng/16 | wc -c')).toBe('16');
    const hash = await docker('run', '--rm', '--network', NET, 'lean-labs/toolbox', 'curl', '-s', '--data-binary', 'hello', 'http://hasher/');
    expect(hash).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    await docker('run', '-d', '--name', 'llt-worker', '--network', NET, 'lean-labs/worker');
    const counter = async () => Number(await docker('exec', 'llt-redis', 'redis-cli', 'get', 'hashes')) || 0;
    await sleep(3500);
    const first = await counter();
    await sleep(2500);
    const second = await counter();
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    const json = JSON.parse(await inNet('wget', '-q', '-O', '-', 'http://llt-webui/json')) as { hashes: number; now: number };
    expect(json.hashes).toBeGreaterThanOrEqual(second);
    expect(Math.abs(json.now - Date.now() / 1000)).toBeLessThan(60);
    expect(await inNet('wget', '-q', '-O', '-', 'http://llt-webui/')).toContain('Hashes per second');
  });
});
