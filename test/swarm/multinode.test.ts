/**
 * A class on a swarm of three machines, simulated by three engines in containers (Docker in Docker, with the same
 * privileges as a sandbox) on a network the test makes. The manager is one of them and runs lean-labs itself (the
 * class image has it), so the class server, its Swarm calls and every sandbox's connection to it happen between
 * those three. Only the manager starts with the images; the other two are added as an instructor would, with the
 * lines `class add-machine` prints (the class image from the class server, then `docker swarm join`). Each sandbox
 * asks Swarm to keep 14 GB free for it: on nodes of this machine's memory, one per node, so three learners land on
 * three nodes and a fourth waits, with Swarm's reason shown; `class down` then removes the volumes on every node.
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
import { docker, NESTED_ENGINE } from '../integration/helpers.js';

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

/** `class status` until it satisfies the test (four minutes at most). */
async function waitForStatus(ok: (status: string) => boolean): Promise<string> {
  let status = '';
  for (let t = 0; t < 240; t++) {
    status = (await lean('class', 'status', '--name', 'spread')).out;
    if (ok(status)) break;
    await sleep(1000);
  }
  return status;
}

const readyRows = (status: string) => status.split('\n').filter((l) => /\sready\s/.test(l) && /ll-spread-/.test(l));

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
        'run',
        '-d',
        '--name',
        name,
        '--hostname',
        `node${i + 1}`,
        '--network',
        NET,
        '--label',
        'lean-labs.test=multinode',
        ...NESTED_ENGINE,
        '-v',
        '/var/lib/docker',
        '-v',
        `${dir}:/run/node-socket`,
        classImage,
        'dockerd',
        '--host=unix:///var/run/docker.sock',
        '--host=unix:///run/node-socket/docker.sock',
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
    // The manager has the images, as after its own build; the other two machines have nothing: they join the class
    // with what `class add-machine` prints.
    const labTags = buildOrder(catalog, ['busybox', 'toolbox', 'sandbox']).flatMap((d) => [d.tag, d.latest]);
    await copyImages(0, [...labTags, classImage]);
    // Something on node 2 that is not the class's: class down must leave it.
    await onNode(1, 'volume', 'create', '--label', 'lean-labs.class=other-class', `${ID}-bystander`);
  });

  afterAll(async () => {
    await lean('class', 'down', '--name', 'spread').catch(() => undefined);
    await docker('rm', '-f', '-v', ...NODES).catch(() => '');
    await docker('network', 'rm', NET).catch(() => '');
    for (const d of socketDirs) rmSync(d, { recursive: true, force: true });
  });

  it('starts a class on a one-node swarm: one sandbox fits, the others wait for room', async () => {
    const up = await lean('class', 'up', '--name', 'spread', '--learners', '4', '--reserve', '0', '--labs', 'namespaces', '--memory', '14g', '--reservation', '14g', '--no-wait', '--yes');
    expect(up.out).toContain('class join http://');
    expect(up.out).toContain('More machines:  npx lean-labs class add-machine --name spread');
    expect(up.code).toBe(0);
    const status = await waitForStatus((s) => readyRows(s).length === 1 && /insufficient resources on 1 node/.test(s));
    expect(readyRows(status)).toHaveLength(1);
  });

  it('adds two machines with the lines class add-machine prints: each loads the class image and joins, and takes a sandbox', async () => {
    const add = await lean('class', 'add-machine', '--name', 'spread');
    expect(add.code).toBe(0);
    const lines = add.out.split('\n').map((l) => l.trim());
    const load = lines.find((l) => l.startsWith('curl '))!;
    const join = lines.find((l) => l.startsWith('docker swarm join '))!;
    expect(load).toMatch(/^curl -fsS 'http:\/\/[\d.]+:7420\/machine\/class-image\?token=[\w%-]+' \| docker load$/);
    expect(join).toMatch(/^docker swarm join --token SWMTKN-\S+ [\d.]+:2377$/);
    // As the instructor would, on each new machine: the two lines, as printed.
    await Promise.all([1, 2].map((i) => run('docker', ['exec', NODES[i]!, 'sh', '-c', `${load} && ${join}`], { timeout: 600_000 })));
    expect(await onNode(1, 'images', '--format', '{{.Repository}}:{{.Tag}}')).toContain(classImage);
    expect((await onNode(0, 'node', 'ls', '--format', '{{.Hostname}} {{.Status}}')).split('\n').sort()).toEqual(['node1 Ready', 'node2 Ready', 'node3 Ready']);
    const status = await waitForStatus((s) => readyRows(s).length === 3 && /insufficient resources on 3 nodes/.test(s));
    const rows = status.split('\n').filter((l) => /^\S+\s+ll-spread-\d+/.test(l));
    const ready = readyRows(status);
    expect(ready).toHaveLength(3);
    expect(new Set(ready.map((l) => l.split(/\s+/)[2])).size).toBe(3); // three different nodes
    expect(rows.filter((l) => /\spending\s/.test(l))).toHaveLength(1);
    expect(status).toMatch(/insufficient resources on 3 nodes/);
  });

  it("a learner on another node reaches the manager's server: joins and gets a shell", async () => {
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

  it('class down on the manager removes the class from every node, volumes included, and nothing else', async () => {
    const volumesOf = (i: number) => onNode(i, 'volume', 'ls', '-q', '--filter', 'label=lean-labs.class=spread');
    expect(await volumesOf(1)).not.toBe('');
    const down = await lean('class', 'down', '--name', 'spread');
    expect(down.code).toBe(0);
    expect(down.out).toMatch(/removed 4 sandbox services/);
    expect(down.out).toMatch(/on node2: removed 2 volumes: ll-spread-\d+-engine, ll-spread-\d+-home/);
    expect(down.out).toMatch(/on node3: removed 2 volumes/);
    expect(await onNode(0, 'service', 'ls', '-q')).toBe('');
    for (const i of [0, 1, 2]) expect(await volumesOf(i)).toBe('');
    expect(await onNode(1, 'volume', 'ls', '-q')).toContain(`${ID}-bystander`);
  });
});
