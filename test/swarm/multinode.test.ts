/**
 * A class on a swarm of three machines, simulated by three engines in containers (Docker in Docker, with the same
 * privileges as a sandbox) on a network the test makes. The manager is one of them and runs lean-labs itself (the
 * class image has it), so the class server, its Swarm calls and every sandbox's connection to it happen between
 * those three. Each sandbox asks Swarm to keep 14 GB free for it: on nodes of this machine's memory, one per node,
 * so three learners land on three nodes and a fourth waits, with Swarm's reason shown.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ensureClassImage } from '../../classroom/class-image.js';
import { DockerAdapter } from '../../runner/docker/adapter.js';
import { buildOrder, loadCatalog } from '../../runner/images/catalog.js';
import { imagesDir } from '../../runner/paths.js';
import { docker } from '../integration/helpers.js';

const run = promisify(execFile);
const ID = `mn${process.pid % 100000}`;
const NET = `${ID}-net`;
const NODES = [1, 2, 3].map((n) => `${ID}-node${n}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let classImage = '';
const socketDirs: string[] = [];

/** The docker CLI against one simulated node's engine. */
async function onNode(node: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('docker', ['-H', `unix://${socketDirs[node]}/docker.sock`, ...args], { timeout: 300_000 });
  return stdout.trim();
}

/** `docker save` on this engine straight into `docker load` on a node's. */
function copyImages(node: number, images: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const save = spawn('docker', ['save', ...images], { stdio: ['ignore', 'pipe', 'inherit'] });
    const load = spawn('docker', ['-H', `unix://${socketDirs[node]}/docker.sock`, 'load', '-q'], { stdio: ['pipe', 'ignore', 'inherit'] });
    save.stdout.pipe(load.stdin);
    load.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`docker load on node ${node + 1} exited ${code}`))));
    save.on('error', reject);
  });
}

async function lean(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('docker', ['exec', '-e', 'CI=1', NODES[0]!, 'lean-labs', ...args], { timeout: 600_000 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('a class over three swarm nodes', () => {
  beforeAll(async () => {
    const engine = new DockerAdapter();
    const catalog = loadCatalog(imagesDir());
    classImage = await ensureClassImage(engine, catalog.get('sandbox')!.tag, () => undefined);
    await docker('network', 'create', '--label', 'lean-labs.test=multinode', NET);
    for (const [i, name] of NODES.entries()) {
      const dir = mkdtempSync(join(tmpdir(), `${ID}-sock-`));
      socketDirs.push(dir);
      await docker(
        'run', '-d', '--name', name, '--hostname', `node${i + 1}`, '--network', NET, '--label', 'lean-labs.test=multinode',
        '--cap-add', 'ALL', '--security-opt', 'seccomp=unconfined', '--security-opt', 'apparmor=unconfined',
        '-v', '/sys/fs/cgroup:/sys/fs/cgroup:rw', '-e', 'DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1',
        '-v', '/var/lib/docker', '-v', `${dir}:/run/node-socket`,
        classImage, 'dockerd', '--host=unix:///var/run/docker.sock', '--host=unix:///run/node-socket/docker.sock',
      );
    }
    for (let i = 0; i < 3; i++) {
      for (let t = 0; ; t++) {
        try {
          await onNode(i, 'version', '--format', '{{.Server.Version}}');
          break;
        } catch (err) {
          if (t > 60) throw err;
          await sleep(1000);
        }
      }
    }
    const managerIp = await docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${NET}").IPAddress}}`, NODES[0]!);
    await onNode(0, 'swarm', 'init', '--advertise-addr', managerIp);
    const token = await onNode(0, 'swarm', 'join-token', '-q', 'worker');
    await Promise.all([1, 2].map((i) => onNode(i, 'swarm', 'join', '--token', token, `${managerIp}:2377`)));
    // No registry: the manager gets the lab images the class uses and the class image; the other nodes the class image.
    const labTags = buildOrder(catalog, ['busybox', 'toolbox', 'sandbox']).flatMap((d) => [d.tag, d.latest]);
    await Promise.all([copyImages(0, [...labTags, classImage]), copyImages(1, [classImage]), copyImages(2, [classImage])]);
  });

  afterAll(async () => {
    await lean('class', 'down', '--name', 'spread').catch(() => undefined);
    await docker('rm', '-f', '-v', ...NODES).catch(() => '');
    await docker('network', 'rm', NET).catch(() => '');
    for (const d of socketDirs) rmSync(d, { recursive: true, force: true });
  });

  it('has three nodes in one swarm', async () => {
    expect((await onNode(0, 'node', 'ls', '--format', '{{.Hostname}} {{.Status}}')).split('\n').sort()).toEqual(['node1 Ready', 'node2 Ready', 'node3 Ready']);
  });

  it('places one sandbox per node by its memory reservation, and shows why a fourth waits', async () => {
    const up = await lean('class', 'up', '--name', 'spread', '--learners', '4', '--reserve', '0', '--labs', 'namespaces', '--memory', '14g', '--reservation', '14g', '--no-wait', '--yes');
    expect(up.out).toContain('class join http://');
    expect(up.code).toBe(0);
    let status = '';
    for (let t = 0; t < 240; t++) {
      status = (await lean('class', 'status', '--name', 'spread')).out;
      const ready = status.split('\n').filter((l) => /\bready\b/.test(l) && /ll-spread-/.test(l));
      if (ready.length === 3 && /insufficient resources/.test(status)) break;
      await sleep(1000);
    }
    const rows = status.split('\n').filter((l) => /^\S+\s+ll-spread-\d+/.test(l));
    const ready = rows.filter((l) => /\sready\s/.test(l));
    expect(ready).toHaveLength(3);
    expect(new Set(ready.map((l) => l.split(/\s+/)[2])).size).toBe(3); // three different nodes
    expect(rows.filter((l) => /\spending\s/.test(l))).toHaveLength(1);
    expect(status).toMatch(/insufficient resources on 3 nodes/);
  });

  it('a learner on another node reaches the manager\'s server: joins and gets a shell', async () => {
    const config = JSON.parse(await run('docker', ['exec', NODES[0]!, 'cat', '/root/.local/state/lean-labs/classes/spread/class.json']).then((r) => r.stdout)) as { url: string; joinCode: string };
    // The learner's machine: this one, on the test's network (the class address is node1's there).
    const res = await fetch(`${config.url}/api/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: config.joinCode, name: 'Remote' }) });
    expect(res.status).toBe(201);
    const { sandbox, token } = (await res.json()) as { sandbox: string; token: string };
    // The terminal: through the server on node1 to the agent of a sandbox on whichever node Swarm chose.
    const ws = new WebSocket(`${config.url.replace('http', 'ws')}/term?token=${token}&cols=150&rows=40`);
    let screen = '';
    ws.on('message', (d: Buffer, binary: boolean) => binary && (screen += d.toString()));
    for (let t = 0; t < 240 && !/step 1 of 9/.test(screen); t++) await sleep(500);
    ws.terminate();
    expect(screen).toMatch(/step 1 of 9/);
    const status = (await lean('class', 'status', '--name', 'spread')).out;
    expect(status).toMatch(new RegExp(`Remote\\s+${sandbox}\\s+node[123]\\s+claimed`));
  });

  it('class down on the manager removes the class from every node it can reach and says what is left elsewhere', async () => {
    const down = await lean('class', 'down', '--name', 'spread');
    expect(down.code).toBe(0);
    expect(down.out).toMatch(/removed 4 sandbox services/);
    expect(down.out).toMatch(/other 2 nodes left their volumes there/);
    expect(await onNode(0, 'service', 'ls', '-q')).toBe('');
  });
});
