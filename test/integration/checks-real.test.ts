import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_KINDS } from '../../runner/checks/registry.js';
import type { CheckContext } from '../../runner/checks/types.js';
import { DockerAdapter } from '../../runner/docker/adapter.js';
import { loadCatalog } from '../../runner/images/catalog.js';
import { judgeOnce } from '../../runner/engine/judge.js';
import { cli, docker, removeContainers } from './helpers.js';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Check kinds judged against real containers on the real engine. */
const adapter = new DockerAdapter();
const catalog = loadCatalog('images');
const BUSYBOX = catalog.get('busybox')!.tag;
const TOOLBOX = catalog.get('toolbox')!.tag;
const NAMES = ['llt-web', 'llt-side', 'llt-mem', 'llt-done', 'llt-pid', 'llt-health', 'llt-retry', 'llt-loop', 'llt-set', 'llt-bound', 'llt-init', 'llt-bg', 'llt-twin'];
let ctx: CheckContext;
const judge = (kind: string, fields: Record<string, unknown>) => CHECK_KINDS.get(kind)!.evaluate(fields, ctx);

beforeAll(async () => {
  const built = await cli(['images', 'build', 'busybox', 'toolbox', '--yes']);
  expect(built.code, built.stdout + built.stderr).toBe(0);
  await removeContainers(...NAMES);
  await docker('network', 'rm', 'llt-net').catch(() => undefined);
  await docker('volume', 'rm', 'llt-vol').catch(() => undefined);
  ctx = { docker: adapter, labels: { 'lean-labs.lab': 'integration' }, helperImage: BUSYBOX, since: Date.now() - 60_000 };
  await docker('network', 'create', 'llt-net');
  await docker('volume', 'create', 'llt-vol');
  await docker(
    'run',
    '-d',
    '--name',
    'llt-web',
    '--network',
    'llt-net',
    '--network-alias',
    'www',
    '-v',
    'llt-vol:/www',
    BUSYBOX,
    'sh',
    '-c',
    'echo hello-from-web > /www/index.html && echo started-web && httpd -f -p 80 -h /www',
  );
  await docker('run', '-d', '--name', 'llt-side', '--net', 'container:llt-web', '--cap-add', 'NET_ADMIN', TOOLBOX, 'sleep', 'infinity');
  await docker('run', '-d', '--name', 'llt-pid', '--pid', 'container:llt-web', BUSYBOX, 'sleep', '3600');
  await docker('run', '-d', '--name', 'llt-mem', '-m', '32m', '--memory-swap', '32m', BUSYBOX, 'sleep', '3600');
  await docker('run', '--name', 'llt-done', BUSYBOX, 'sh', '-c', 'echo bye; exit 3').catch(() => undefined);
  await docker('run', '-d', '--name', 'llt-health', '--health-cmd', 'true', '--health-interval', '1s', BUSYBOX, 'sleep', '3600');
}, 600_000);

afterAll(async () => {
  await removeContainers(...NAMES);
  await docker('network', 'rm', 'llt-net').catch(() => undefined);
  await docker('volume', 'rm', 'llt-vol').catch(() => undefined);
});

describe('check kinds on a real engine', () => {
  it('container: running, exited with its code, absent', async () => {
    expect((await judge('container', { container: 'llt-web', state: 'running', image: BUSYBOX })).pass).toBe(true);
    const done = await judge('container', { container: 'llt-done', exitCode: 0 });
    expect(done).toMatchObject({ pass: false, found: 'it exited with code 3' });
    expect((await judge('container', { container: 'llt-nothing', state: 'absent' })).pass).toBe(true);
  });

  it('hostconfig: --net container:<name> as the engine stores it, caps, memory and swap', async () => {
    expect((await judge('hostconfig', { container: 'llt-side', networkMode: 'container:llt-web', capAdd: ['NET_ADMIN'] })).pass).toBe(true);
    expect((await judge('hostconfig', { container: 'llt-side', networkMode: 'container:llt-mem' })).found).toBe('network mode is container:llt-web');
    expect((await judge('hostconfig', { container: 'llt-mem', memory: 32 * 1024 ** 2, memorySwap: 32 * 1024 ** 2 })).pass).toBe(true);
    expect((await judge('hostconfig', { container: 'llt-pid', pidMode: 'container:llt-web' })).pass).toBe(true);
  });

  it('namespace: shared net and pid where joined, private elsewhere', async () => {
    expect((await judge('namespace', { a: 'llt-web', b: 'llt-side', namespaces: ['net'], shared: true })).pass).toBe(true);
    expect((await judge('namespace', { a: 'llt-web', b: 'llt-side', namespaces: ['pid', 'mnt'], shared: false })).pass).toBe(true);
    expect((await judge('namespace', { a: 'llt-web', b: 'llt-pid', namespaces: ['pid'], shared: true })).pass).toBe(true);
    expect((await judge('namespace', { a: 'llt-web', b: 'llt-pid', namespaces: ['net'], shared: true })).pass).toBe(false);
  });

  it('exec: output and exit code from inside', async () => {
    expect((await judge('exec', { container: 'llt-side', run: 'ss -tln', stdout: ':80 ' })).pass).toBe(true);
    expect((await judge('exec', { container: 'llt-side', run: 'exit 4', exitCode: 0 })).found).toMatch(/^it exited with 4/);
  });

  it('file: read through the archive API, also from a stopped container', async () => {
    expect((await judge('file', { container: 'llt-web', path: '/www/index.html', contains: 'hello-from-web' })).pass).toBe(true);
    expect((await judge('file', { container: 'llt-done', path: '/etc/passwd', contains: 'root:x:0:0' })).pass).toBe(true);
    expect((await judge('file', { container: 'llt-web', path: '/nope' })).found).toBe('there is no such file');
  });

  it('logs: what the engine kept', async () => {
    expect((await judge('logs', { container: 'llt-done', contains: 'bye' })).pass).toBe(true);
    expect((await judge('logs', { container: 'llt-web', contains: 'never printed' })).pass).toBe(false);
  });

  it("http: from a container's namespace and on a network, leaving no helper behind", async () => {
    expect(await judge('http', { url: 'http://localhost/', from: 'llt-side', body: 'hello-from-web' })).toMatchObject({ pass: true });
    expect((await judge('http', { url: 'http://llt-web/', network: 'llt-net', status: 200 })).pass).toBe(true);
    expect((await judge('http', { url: 'http://llt-web/missing', network: 'llt-net' })).found).toBe('it answered 404');
    expect(await docker('ps', '-aq', '--filter', 'label=lean-labs.lab=integration')).toBe('');
  });

  it("cgroup: the memory limit as the container sees it, on this host's cgroup version", async () => {
    expect((await judge('cgroup', { container: 'llt-mem', setting: 'memory-limit', equals: '32m' })).pass).toBe(true);
    const wrong = await judge('cgroup', { container: 'llt-mem', setting: 'memory-limit', equals: '64m' });
    expect(wrong).toMatchObject({ pass: false, found: 'it is 33554432' });
  });

  it('hostconfig: mounts by volume name, exact capabilities, the retry limit of a restart policy', async () => {
    await docker('run', '-d', '--name', 'llt-retry', '--restart', 'on-failure:3', '--cap-drop', 'ALL', BUSYBOX, 'sleep', '3600');
    expect((await judge('hostconfig', { container: 'llt-web', mounts: ['llt-vol:/www'] })).pass).toBe(true);
    expect((await judge('hostconfig', { container: 'llt-web', mounts: ['other:/www'] })).found).toBe('mounts: llt-vol:/www');
    // NET_RAW is a default: holding it needs no --cap-add, and dropping it takes it away.
    expect((await judge('hostconfig', { container: 'llt-side', capAdd: ['NET_ADMIN', 'NET_RAW'] })).pass).toBe(true);
    expect((await judge('hostconfig', { container: 'llt-retry', capAdd: ['NET_RAW'] })).found).toBe('added capabilities: none; it lacks NET_RAW (dropped: ALL)');
    expect((await judge('hostconfig', { container: 'llt-retry', restartPolicy: { name: 'on-failure', maxRetries: 3 }, capDrop: ['ALL'], privileged: false })).pass).toBe(true);
    expect((await judge('hostconfig', { container: 'llt-retry', restartPolicy: { name: 'on-failure', maxRetries: 5 } })).found).toBe('restart policy on-failure:3');
  });

  it('attached: networks and aliases as the engine keeps them', async () => {
    expect((await judge('attached', { container: 'llt-web', network: 'llt-net', aliases: ['www', 'llt-web'] })).pass).toBe(true);
    expect((await judge('attached', { container: 'llt-mem', network: 'llt-net' })).found).toBe('it is on bridge');
  });

  it('events: an action the engine spells with a detail (health_status: healthy)', async () => {
    const deadline = Date.now() + 20_000;
    let r = await judge('events', { container: 'llt-health', action: 'health_status: healthy', minCount: 1 });
    while (!r.pass && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 500));
      r = await judge('events', { container: 'llt-health', action: 'health_status: healthy', minCount: 1 });
    }
    expect(r.pass, r.found).toBe(true);
    expect((await judge('events', { container: 'llt-health', action: 'health_status: unhealthy', minCount: 1 })).pass).toBe(false);
  });

  it('events: a container restarting without limit never passes "started exactly 4 times"', async () => {
    // Counted from now: an earlier run's llt-loop left events under the same name.
    const since = Date.now() - 500;
    await docker('run', '-d', '--name', 'llt-loop', '--restart', 'always', BUSYBOX, 'sh', '-c', 'sleep 0.2; exit 1');
    const check = { kind: 'events', fields: { container: 'llt-loop', action: 'start', count: 4 }, withinMs: 12_000, guard: false, pos: { file: 't', line: 1 } };
    // Judged over and over as the count climbs through 4: a green at any moment would be the bug.
    const seen: string[] = [];
    const deadline = Date.now() + 12_000;
    while (Date.now() < deadline) {
      const r = await judgeOnce(check, { ...ctx, since });
      expect(r.pass, `passed with ${r.found}`).toBe(false);
      seen.push(r.found);
    }
    expect(
      seen.some((f) => /recorded [5-9]|recorded \d\d/.test(f)),
      seen.join('\n'),
    ).toBe(true);
  });

  it('dns: by name on a user-defined network, to the right container, and not at all on the default bridge', async () => {
    expect((await judge('dns', { name: 'www', network: 'llt-net', to: 'llt-web' })).pass).toBe(true);
    expect((await judge('dns', { name: 'llt-web', from: 'llt-side', to: 'llt-web' })).pass).toBe(true);
    const wrong = await judge('dns', { name: 'www', network: 'llt-net', to: 'llt-side' });
    expect(wrong.pass).toBe(false);
    expect(wrong.found).toMatch(/^(it resolves to [0-9.]+|llt-side has no address on llt-net)$/);
    // The default bridge has no DNS by name: the name of a container on it does not resolve there.
    expect((await judge('dns', { name: 'llt-mem', network: 'bridge', resolves: false })).pass).toBe(true);
    expect((await judge('dns', { name: 'llt-mem', network: 'bridge' })).found).toMatch(/^it does not resolve/);
    expect(await docker('ps', '-aq', '--filter', 'label=lean-labs.lab=integration')).toBe('');
  });

  it("health: a running container's HEALTHCHECK status", async () => {
    const deadline = Date.now() + 20_000;
    let r = await judge('health', { container: 'llt-health', status: 'healthy' });
    while (!r.pass && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 500));
      r = await judge('health', { container: 'llt-health', status: 'healthy' });
    }
    expect(r.pass, r.found).toBe(true);
    expect((await judge('health', { container: 'llt-mem', status: 'healthy' })).found).toMatch(/^it has no healthcheck/);
  });

  it('image: how its containers start (ENTRYPOINT, CMD, USER, EXPOSE)', async () => {
    const hasher = catalog.get('hasher')!.tag;
    await cli(['images', 'build', 'netdebug', 'hasher', '--yes']);
    expect((await judge('image', { image: hasher, exposes: ['80'], cmd: '/^python3 /app/hasher.py$/', healthcheck: false })).pass).toBe(true);
    expect((await judge('image', { image: catalog.get('netdebug')!.tag, user: '' })).found).toBe('it runs as netdebug');
    expect((await judge('image', { image: BUSYBOX, minSize: 100 * 1024 ** 2 })).found).toMatch(/^it is [\d.]+MB as docker images shows it/);
  });

  it('image, volume, network', async () => {
    expect((await judge('image', { image: BUSYBOX, maxSize: 5 * 1024 ** 2 })).pass).toBe(true);
    expect((await judge('image', { image: 'lean-labs/none:1' })).pass).toBe(false);
    expect((await judge('volume', { volume: 'llt-vol', driver: 'local' })).pass).toBe(true);
    expect((await judge('network', { network: 'llt-net', driver: 'bridge' })).pass).toBe(true);
  });

  it('hostconfig: published ports with their address, devices, pids and ulimits, security options, init and user', async () => {
    await docker(
      'run',
      '-d',
      '--name',
      'llt-set',
      '-p',
      '127.0.0.1:5987:80',
      '--device',
      '/dev/zero:/dev/llt-zero',
      '--pids-limit',
      '64',
      '--ulimit',
      'nofile=512:1024',
      '--security-opt',
      'no-new-privileges:true',
      '--init',
      '--user',
      'nobody',
      TOOLBOX,
      'sleep',
      'infinity',
    );
    await docker('run', '-d', '--name', 'llt-bound', '-p', '5988:80', '-v', '/dev/zero:/dev/llt-zero', TOOLBOX, 'sleep', 'infinity');
    const set = { ports: ['127.0.0.1:5987:80'], devices: ['/dev/zero:/dev/llt-zero'], pidsLimit: 64, ulimits: ['nofile=512:1024'], securityOpt: ['no-new-privileges'], init: true };
    expect(await judge('hostconfig', { container: 'llt-set', ...set, user: '65534' })).toMatchObject({ pass: true });
    expect((await judge('hostconfig', { container: 'llt-bound', ports: ['127.0.0.1:5988:80'] })).found).toMatch(/^published: every interface:5988->80\/tcp/);
    expect((await judge('hostconfig', { container: 'llt-bound', devices: ['/dev/zero:/dev/llt-zero'] })).found).toBe('devices: none (a bind mount of a device file is not --device)');
    expect((await judge('hostconfig', { container: 'llt-bound', pidsLimit: 64, init: true })).pass).toBe(false);
  });

  it('container: labels, -d, and PID 1 as the container sees it', async () => {
    await docker('run', '-d', '--name', 'llt-init', '--init', '--label', 'llt.role=side', TOOLBOX, 'sleep', 'infinity');
    await docker('run', '-d', '--name', 'llt-bg', TOOLBOX, 'sh', '-c', 'sleep infinity');
    expect((await judge('container', { container: 'llt-init', labels: ['llt.role=side'], detached: true })).pass).toBe(true);
    expect((await judge('container', { container: 'llt-init', commandIsPid1: true })).found).toMatch(/^PID 1 is `\/sbin\/docker-init -- sleep infinity`/);
    expect((await judge('container', { container: 'llt-bg', commandIsPid1: true })).pass).toBe(true);
    expect((await judge('container', { container: 'llt-done', detached: false })).pass).toBe(true);
    expect((await judge('container', { container: 'llt-bg', detached: false })).pass).toBe(false);
  });

  it('dns: a name two containers answer to resolves to more than the one asked for', async () => {
    await docker('run', '-d', '--name', 'llt-twin', '--network', 'llt-net', '--network-alias', 'www', BUSYBOX, 'sleep', '3600');
    const r = await judge('dns', { name: 'www', network: 'llt-net', to: 'llt-web' });
    expect(r.pass).toBe(false);
    expect(r.found).toMatch(/is another container answering to the same name$/);
    await removeContainers('llt-twin');
  });

  it('image: the order of its build steps as docker history shows them', async () => {
    const order = await judge('image', { image: TOOLBOX, historyOrder: ['/apt-get/', '/.*/'] });
    expect(order.pass, order.found).toBe(true);
    expect((await judge('image', { image: BUSYBOX, historyOrder: ['/apt-get install/'] })).found).toMatch(/^no step matches \/apt-get install\//);
  });

  it('compose: one-off containers are no replicas, depends_on as Compose records it, health by service', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llt-compose-'));
    writeFileSync(
      join(dir, 'compose.yaml'),
      [
        'name: lltc',
        'services:',
        '  db:',
        `    image: ${BUSYBOX}`,
        '    command: sleep 3600',
        '    healthcheck: { test: ["CMD", "true"], interval: 1s }',
        '  app:',
        `    image: ${BUSYBOX}`,
        '    command: sleep 3600',
        '    depends_on: { db: { condition: service_healthy } }',
        '',
      ].join('\n'),
    );
    const compose = (...args: string[]) => execFileP('docker', ['compose', ...args], { cwd: dir, timeout: 120_000 });
    try {
      await compose('up', '-d', '--wait');
      await compose('run', '-d', 'app', 'sleep', '60');
      expect(await judge('compose', { project: 'lltc', service: 'app', replicas: 1, dependsOn: ['db:service_healthy'] })).toMatchObject({ pass: true });
      expect((await judge('compose', { project: 'lltc', service: 'app', replicas: 2 })).found).toBe('1 running, besides 1 one-off container of `compose run`, which is no replica');
      expect((await judge('compose', { project: 'lltc', service: 'db', dependsOn: ['app'] })).found).toBe('it depends on nothing');
      expect((await judge('health', { project: 'lltc', service: 'db', status: 'healthy' })).pass).toBe(true);
      expect((await judge('health', { project: 'lltc', service: 'app', status: 'healthy' })).found).toMatch(/^it has no healthcheck/);
    } finally {
      await compose('down', '-v', '--remove-orphans').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
