import { describe, expect, it } from 'vitest';
import { CHECK_KINDS } from '../../runner/checks/registry.js';
import type { CheckContext } from '../../runner/checks/types.js';
import { parseRestartPolicy } from '../../runner/checks/values.js';
import { checkTitle } from '../../runner/checks/title.js';
import { parseCheckBlock } from '../../runner/lab/check-block.js';
import { judgeOnce } from '../../runner/engine/judge.js';
import { answeredAddresses, judgeDns } from '../../runner/checks/kinds/dns.js';
import { judgeContainer } from '../../runner/checks/kinds/container.js';
import { fullReference } from '../../runner/checks/kinds/events.js';
import { containerFacts, FakeDocker } from './fake-docker.js';
import { parseLab } from '../../runner/lab/parse.js';
import { BOX_LAB } from './box-lab.js';

const ctxOf = (docker: FakeDocker): CheckContext => ({ docker, labels: { 'lean-labs.lab': 't' }, helperImage: 'lean-labs/busybox:v1', since: 0 });
const judge = (kind: string, fields: Record<string, unknown>, docker: FakeDocker) => CHECK_KINDS.get(kind)!.evaluate(fields, ctxOf(docker));

describe('container check', () => {
  it('fails with what it found when the container does not exist', async () => {
    const r = await judge('container', { container: 'web', state: 'running' }, new FakeDocker());
    expect(r).toEqual({ pass: false, expected: 'container web exists', found: 'there is no container named web' });
  });

  it('passes for a running container with the expected image, accepting an implied :latest', async () => {
    const d = new FakeDocker().add(containerFacts('web', { image: 'lean-labs/toolbox:latest' }));
    expect((await judge('container', { container: 'web', state: 'running', image: 'lean-labs/toolbox' }, d)).pass).toBe(true);
    // Podman names images with their registry; the default registry's name is no difference.
    d.add(containerFacts('podman', { image: 'docker.io/lean-labs/toolbox:latest' }));
    expect((await judge('container', { container: 'podman', image: 'lean-labs/toolbox' }, d)).pass).toBe(true);
    expect((await judge('container', { container: 'podman', image: 'lean-labs/web' }, d)).pass).toBe(false);
  });

  it('reports the exit code it found', async () => {
    const d = new FakeDocker().add(containerFacts('job', { state: { status: 'exited', running: false, exitCode: 137 } }));
    const r = await judge('container', { container: 'job', exitCode: 0 }, d);
    expect(r.pass).toBe(false);
    expect(r.found).toBe('it exited with code 137');
  });

  it('sees an OOM kill', async () => {
    const d = new FakeDocker().add(containerFacts('hog', { state: { status: 'exited', running: false, exitCode: 137, oomKilled: true } }));
    expect((await judge('container', { container: 'hog', oomKilled: true, exitCode: 137 }, d)).pass).toBe(true);
  });

  it('state absent passes only when the container is gone', async () => {
    const d = new FakeDocker().add(containerFacts('old'));
    expect((await judge('container', { container: 'old', state: 'absent' }, d)).found).toBe('container old still exists (running)');
    expect((await judge('container', { container: 'gone', state: 'absent' }, d)).pass).toBe(true);
  });

  it('matches the command against a pattern', async () => {
    const d = new FakeDocker().add(containerFacts('web', { cmd: ['nginx', '-g', 'daemon off;'] }));
    expect((await judge('container', { container: 'web', command: '/^nginx/' }, d)).pass).toBe(true);
    expect((await judge('container', { container: 'web', command: 'httpd' }, d)).found).toBe('its command is `nginx -g daemon off;`');
  });
});

describe('hostconfig check', () => {
  it('a memory limit without --memory-swap fails the swap expectation and says why', async () => {
    const d = new FakeDocker().add(containerFacts('mem', { hostConfig: { memory: 64 * 1024 ** 2, memorySwap: 128 * 1024 ** 2 } }));
    const r = await judge('hostconfig', { container: 'mem', memory: 64 * 1024 ** 2, memorySwap: 64 * 1024 ** 2 }, d);
    expect(r.pass).toBe(false);
    expect(r.found).toBe('memory+swap limit is 128m (swap adds as much again as the memory limit: --memory-swap was left out)');
  });

  it('resolves container:<id> to the name the lab wrote', async () => {
    const web = containerFacts('web');
    const d = new FakeDocker().add(web).add(containerFacts('dbg', { hostConfig: { networkMode: `container:${web.id}` } }));
    expect((await judge('hostconfig', { container: 'dbg', networkMode: 'container:web' }, d)).pass).toBe(true);
  });

  it('tells the learner which container the side container really joined', async () => {
    const other = containerFacts('other');
    const d = new FakeDocker()
      .add(containerFacts('web'))
      .add(other)
      .add(containerFacts('dbg', { hostConfig: { networkMode: `container:${other.id}` } }));
    const r = await judge('hostconfig', { container: 'dbg', networkMode: 'container:web' }, d);
    expect(r).toMatchObject({ pass: false, found: 'network mode is container:other' });
  });

  it('checks the capabilities the container holds, without caring for the CAP_ prefix or case: missing ones and extra ones fail', async () => {
    const d = new FakeDocker().add(containerFacts('dbg', { hostConfig: { capAdd: ['CAP_NET_RAW'] } }));
    const r = await judge('hostconfig', { container: 'dbg', capAdd: ['net_raw', 'NET_ADMIN'] }, d);
    expect(r.pass).toBe(false);
    expect(r.found).toBe('added capabilities: NET_RAW; it lacks NET_ADMIN');
    d.add(containerFacts('more', { hostConfig: { capAdd: ['NET_RAW', 'NET_ADMIN', 'SYS_ADMIN'] } }));
    expect(await judge('hostconfig', { container: 'more', capAdd: ['NET_RAW', 'NET_ADMIN'] }, d)).toMatchObject({
      pass: false,
      found: 'added capabilities: NET_ADMIN, NET_RAW, SYS_ADMIN; SYS_ADMIN is more than the step needs',
    });
    d.add(containerFacts('just', { hostConfig: { capAdd: ['CAP_NET_ADMIN', 'NET_RAW'], capDrop: ['ALL'] } }));
    expect((await judge('hostconfig', { container: 'just', capAdd: ['NET_RAW', 'NET_ADMIN'], capDrop: ['all'], privileged: false }, d)).pass).toBe(true);
  });

  it('takes a default capability as held without --cap-add, and as missing once dropped', async () => {
    const d = new FakeDocker()
      .add(containerFacts('admin-only', { hostConfig: { capAdd: ['NET_ADMIN'] } }))
      .add(containerFacts('raw-dropped', { hostConfig: { capAdd: ['NET_ADMIN'], capDrop: ['NET_RAW'] } }))
      .add(containerFacts('all-dropped', { hostConfig: { capAdd: ['NET_ADMIN'], capDrop: ['ALL'] } }))
      .add(containerFacts('everything', { hostConfig: { capAdd: ['ALL'] } }));
    const want = { capAdd: ['NET_RAW', 'NET_ADMIN'] };
    expect((await judge('hostconfig', { container: 'admin-only', ...want }, d)).pass).toBe(true);
    expect((await judge('hostconfig', { container: 'raw-dropped', ...want }, d)).found).toBe('added capabilities: NET_ADMIN; it lacks NET_RAW (dropped: NET_RAW)');
    expect((await judge('hostconfig', { container: 'all-dropped', ...want }, d)).found).toBe('added capabilities: NET_ADMIN; it lacks NET_RAW (dropped: ALL)');
    expect((await judge('hostconfig', { container: 'everything', ...want }, d)).found).toBe('it was given every capability (--cap-add ALL)');
  });

  it('rejects --privileged and a missing --cap-drop when asked', async () => {
    const d = new FakeDocker().add(containerFacts('p', { hostConfig: { privileged: true } }));
    expect(await judge('hostconfig', { container: 'p', privileged: false, capDrop: ['ALL'] }, d)).toMatchObject({
      pass: false,
      found: 'dropped capabilities: none; it runs with --privileged',
    });
  });

  it('tells a named volume from an anonymous one and from a bind mount at the same place', async () => {
    const mount = (m: object) => [{ rw: true, source: '', destination: '/etc/nginx/conf.d', ...m }];
    const d = new FakeDocker()
      .add(containerFacts('named', { mounts: mount({ type: 'volume', name: 'cs-conf' }) }))
      .add(containerFacts('anon', { mounts: mount({ type: 'volume', name: 'f'.repeat(64) }) }))
      .add(containerFacts('bind', { mounts: mount({ type: 'bind', source: '/srv/conf' }) }));
    const want = { mounts: ['cs-conf:/etc/nginx/conf.d'] };
    expect((await judge('hostconfig', { container: 'named', ...want }, d)).pass).toBe(true);
    expect(await judge('hostconfig', { container: 'anon', ...want }, d)).toMatchObject({ pass: false, found: 'mounts: /etc/nginx/conf.d (anonymous volume)' });
    expect(await judge('hostconfig', { container: 'bind', ...want }, d)).toMatchObject({ pass: false, found: 'mounts: /srv/conf:/etc/nginx/conf.d' });
    expect((await judge('hostconfig', { container: 'bind', mounts: ['/srv/conf:/etc/nginx/conf.d'] }, d)).pass).toBe(true);
    expect((await judge('hostconfig', { container: 'anon', mounts: ['/etc/nginx/conf.d'] }, d)).pass).toBe(true);
  });

  it('checks the retry limit of a restart policy, written as on-failure:N or as a mapping', async () => {
    const d = new FakeDocker()
      .add(containerFacts('three', { hostConfig: { restartPolicy: 'on-failure', restartRetries: 3 } }))
      .add(containerFacts('endless', { hostConfig: { restartPolicy: 'on-failure', restartRetries: 0 } }));
    const three = parseRestartPolicy('on-failure:3');
    expect(parseRestartPolicy({ name: 'on-failure', maxRetries: 3 })).toEqual(three);
    expect((await judge('hostconfig', { container: 'three', restartPolicy: three }, d)).pass).toBe(true);
    expect(await judge('hostconfig', { container: 'endless', restartPolicy: three }, d)).toMatchObject({
      pass: false,
      expected: 'restart policy on-failure:3',
      found: 'restart policy on-failure (no retry limit)',
    });
    expect((await judge('hostconfig', { container: 'three', restartPolicy: parseRestartPolicy('on-failure') }, d)).pass).toBe(true);
    expect(parseRestartPolicy('always:3')).toBe('only on-failure takes a retry limit (always restarts without one)');
    expect(parseRestartPolicy({ name: 'on-failure', retries: 3 })).toBe('a restart policy mapping has only name and maxRetries, not retries');
    expect(parseRestartPolicy('sometimes')).toBe('"sometimes" is not a restart policy');
  });

  it('checks --cpus from NanoCpus and volumes-from by name', async () => {
    const app = containerFacts('app');
    const d = new FakeDocker().add(app).add(containerFacts('side', { hostConfig: { nanoCpus: 5e8, volumesFrom: ['app:ro'] } }));
    expect((await judge('hostconfig', { container: 'side', cpus: 0.5, volumesFrom: ['app'] }, d)).pass).toBe(true);
  });
});

describe('exec check', () => {
  it('refuses to exec in a stopped container, saying so', async () => {
    const d = new FakeDocker().add(containerFacts('a', { state: { status: 'exited', running: false } }));
    const r = await judge('exec', { container: 'a', run: 'ps' }, d);
    expect(r).toMatchObject({ pass: false, found: 'container a is not running (exited)' });
  });

  it('matches stdout and requires exit 0 when no pattern is given', async () => {
    const d = new FakeDocker().add(containerFacts('a')).answer('a', /ip -o link/, { stdout: '1: lo: <LOOPBACK>\n2: eth0@if5: <UP>' });
    expect((await judge('exec', { container: 'a', run: 'ip -o link', stdout: 'lo:', notStdout: 'eth0' }, d)).found).toBe('it printed: 1: lo: <LOOPBACK> 2: eth0@if5: <UP>');
    d.answer('a', /false/, { exitCode: 1, stderr: 'nope' });
    expect((await judge('exec', { container: 'a', run: 'false' }, d)).found).toBe('it exited with 1: nope');
  });

  it('requires exit 0 even when the expected text was printed, unless exitCode says otherwise', async () => {
    const d = new FakeDocker().add(containerFacts('a')).answer('a', /check/, { exitCode: 1, stdout: 'all good' });
    expect(await judge('exec', { container: 'a', run: 'check', stdout: 'all good' }, d)).toMatchObject({ pass: false, found: 'it exited with 1: all good' });
    expect((await judge('exec', { container: 'a', run: 'check', stdout: 'all good', exitCode: 1 }, d)).pass).toBe(true);
  });
});

describe('attached check', () => {
  const d = new FakeDocker().add(containerFacts('amb', { networks: { 'am-lan': { aliases: ['redis', 'amb', '0123abcd'], ip: '10.0.0.3' } } }));
  it('sees the networks a container is on and its aliases there', async () => {
    expect((await judge('attached', { container: 'amb', network: 'am-lan', aliases: ['redis'] }, d)).pass).toBe(true);
    expect((await judge('attached', { container: 'amb', network: 'bridge', attached: false }, d)).pass).toBe(true);
    expect(await judge('attached', { container: 'amb', network: 'am-lan', aliases: ['cache'] }, d)).toMatchObject({
      pass: false,
      found: 'its names there are redis, amb, 0123abcd',
    });
    expect(await judge('attached', { container: 'amb', network: 'other' }, d)).toMatchObject({ pass: false, found: 'it is on am-lan' });
  });
});

describe('namespace check', () => {
  it('compares inodes per namespace kind and names both', async () => {
    const d = new FakeDocker().add(containerFacts('a')).add(containerFacts('b'));
    d.namespacesOf.set('a', { pid: 'pid:[1]', net: 'net:[2]' });
    d.namespacesOf.set('b', { pid: 'pid:[1]', net: 'net:[3]' });
    expect((await judge('namespace', { a: 'a', b: 'b', namespaces: ['pid'], shared: true }, d)).pass).toBe(true);
    const r = await judge('namespace', { a: 'a', b: 'b', namespaces: ['pid', 'net'], shared: true }, d);
    expect(r.pass).toBe(false);
    expect(r.found).toBe('net: a is in net:[2], b in net:[3] (different)');
    expect((await judge('namespace', { a: 'a', b: 'b', namespaces: ['net'], shared: false }, d)).pass).toBe(true);
  });

  it('reads nothing while one of the two is missing, and says which', async () => {
    const d = new FakeDocker().add(containerFacts('a'));
    d.readNamespaces = async () => {
      throw new Error('must not read');
    };
    const r = await judge('namespace', { a: 'a', b: 'b', namespaces: ['net'], shared: false }, d);
    expect(r).toMatchObject({ pass: false, found: 'there is no container named b' });
  });
});

describe('cgroup check', () => {
  it('reads memory.max on v2 and compares in bytes', async () => {
    const d = new FakeDocker().add(containerFacts('m')).answer('m', /^cat \/sys\/fs\/cgroup\/memory.max$/, { stdout: '67108864\n' });
    expect((await judge('cgroup', { container: 'm', setting: 'memory-limit', equals: '64m' }, d)).pass).toBe(true);
  });

  it('reads memory.limit_in_bytes on v1', async () => {
    const d = new FakeDocker().add(containerFacts('m')).answer('m', /memory\/memory.limit_in_bytes/, { stdout: '9223372036854771712\n' });
    d.cgroupVersion = '1';
    const r = await judge('cgroup', { container: 'm', setting: 'memory-limit', equals: '64m' }, d);
    expect(r).toMatchObject({ pass: false, found: 'it is max' });
  });

  it('turns cpu.max into a CPU count on v2', async () => {
    const d = new FakeDocker().add(containerFacts('c')).answer('c', /cpu.max/, { stdout: '50000 100000\n' });
    expect((await judge('cgroup', { container: 'c', setting: 'cpus', equals: '0.5' }, d)).pass).toBe(true);
  });

  it('converts --cpu-shares to v2 cpu.weight like runc', async () => {
    const d = new FakeDocker().add(containerFacts('c')).answer('c', /cpu.weight/, { stdout: '20\n' });
    expect((await judge('cgroup', { container: 'c', setting: 'cpu-shares', equals: 512 }, d)).pass).toBe(true);
  });
});

describe('http check', () => {
  it("makes the request from the container's network namespace and reads the status", async () => {
    const web = containerFacts('web');
    const d = new FakeDocker().add(web);
    d.helperAnswers.push({ exitCode: 0, stdout: '<h1>hello</h1>', stderr: '  HTTP/1.1 200 OK\n  Server: nginx\n' });
    const r = await judge('http', { url: 'http://localhost/', from: 'web', body: 'hello' }, d);
    expect(r.pass).toBe(true);
    expect(d.helperRuns[0]).toMatchObject({ networkMode: `container:${web.id}`, image: 'lean-labs/busybox:v1', labels: { 'lean-labs.lab': 't' } });
  });

  it('reports an error status', async () => {
    const d = new FakeDocker().add(containerFacts('web'));
    d.helperAnswers.push({ exitCode: 1, stdout: '', stderr: 'wget: server returned error: HTTP/1.1 404 Not Found' });
    expect((await judge('http', { url: 'http://localhost/x', from: 'web' }, d)).found).toBe('it answered 404');
  });
});

describe('file, logs, image, volume, network, compose checks', () => {
  it('file: contains a pattern', async () => {
    const d = new FakeDocker().add(containerFacts('c'));
    d.files.set('c:/etc/app.conf', 'port = 8080\n');
    expect((await judge('file', { container: 'c', path: '/etc/app.conf', contains: '/port = 80[0-9]{2}/' }, d)).pass).toBe(true);
    expect((await judge('file', { container: 'c', path: '/etc/none' }, d)).found).toBe('there is no such file');
  });

  it('logs: contains and does not contain', async () => {
    const d = new FakeDocker().add(containerFacts('c'));
    d.logsOf.set('c', 'GET / 200\nGET /x 404\n');
    expect((await judge('logs', { container: 'c', contains: 'GET / 200', notContains: '500' }, d)).pass).toBe(true);
    expect((await judge('logs', { container: 'c', notContains: '404' }, d)).pass).toBe(false);
  });

  it('image: size bound and layer count', async () => {
    const d = new FakeDocker();
    d.images.set('app:small', { id: 'sha256:1', tags: ['app:small'], size: 12 * 1024 ** 2, layers: 3, created: 0, labels: {} });
    const r = await judge('image', { image: 'app:small', maxSize: 10 * 1024 ** 2, layers: 3 }, d);
    expect(r).toMatchObject({ pass: false, found: 'it is 12.58MB as docker images shows it (12m)' });
  });

  it('volume and network: exists and absent', async () => {
    const d = new FakeDocker();
    d.volumes.set('data', { name: 'data', id: 'data', created: 0, labels: {}, driver: 'local' });
    expect((await judge('volume', { volume: 'data', driver: 'local' }, d)).pass).toBe(true);
    expect((await judge('network', { network: 'backend' }, d)).found).toBe('there is no network named backend');
    expect((await judge('network', { network: 'backend', exists: false }, d)).pass).toBe(true);
  });

  it('compose: counts running replicas by labels, not by names', async () => {
    const d = new FakeDocker();
    const svc = (name: string, status: string) => containerFacts(name, { labels: { 'com.docker.compose.project': 'coins', 'com.docker.compose.service': 'worker' }, state: { status } });
    d.add(svc('coins-worker-1', 'running')).add(svc('coins_worker_2', 'running')).add(svc('x3', 'exited'));
    expect((await judge('compose', { project: 'coins', service: 'worker', replicas: 2 }, d)).pass).toBe(true);
    expect((await judge('compose', { project: 'coins', service: 'worker', replicas: 10 }, d)).found).toBe('2 running (1 not running)');
  });

  it('shell: exit 0 passes and the output is the message', async () => {
    expect(await judge('shell', { run: 'echo fine' }, new FakeDocker())).toMatchObject({ pass: true, found: 'fine' });
    expect(await judge('shell', { run: 'echo broken >&2; exit 3' }, new FakeDocker())).toMatchObject({ pass: false, found: 'exit 3: broken' });
  });
});

describe('diff check and measured container facts', () => {
  it('diff: lists changes the way docker diff prints them', async () => {
    const d = new FakeDocker().add(containerFacts('c'));
    d.changesOf.set('c', [
      { kind: 'C', path: '/etc' },
      { kind: 'A', path: '/root/new.txt' },
    ]);
    expect((await judge('diff', { container: 'c', contains: ['A /root/new.txt', 'C /etc'] }, d)).pass).toBe(true);
    const r = await judge('diff', { container: 'c', contains: ['D /etc/issue.net'] }, d);
    expect(r.found).toBe('it lists C /etc, A /root/new.txt');
    expect((await judge('diff', { container: 'c', empty: true }, d)).pass).toBe(false);
  });

  it('container: the writable layer size and the lifetime are measured and shown', async () => {
    const created = Date.parse('2026-01-01T00:00:00Z');
    const d = new FakeDocker().add(containerFacts('q', { created, state: { status: 'exited', running: false, finishedAt: '2026-01-01T00:00:00.310Z' } }));
    d.sizesOf.set('q', 3 * 1024 ** 2);
    expect(await judge('container', { container: 'q', maxLifetime: 2000 }, d)).toMatchObject({ pass: true, found: 'it took 0.31 s from created to exited' });
    expect(await judge('container', { container: 'q', maxWritable: 1024 ** 2 }, d)).toMatchObject({ pass: false, found: 'it holds 3.146MB as docker ps -s shows it' });
    expect((await judge('container', { container: 'q', minWritable: 1024 ** 2 }, d)).pass).toBe(true);
  });
});

describe('image comparisons', () => {
  const img = (id: string, layerIds: string[]) => ({ id: `sha256:${id.padEnd(64, '0')}`, tags: [], size: 1, layers: layerIds.length, layerIds, created: 0, labels: {} });
  it('baseImage + extraLayers: one layer on top of the base', async () => {
    const d = new FakeDocker();
    d.images.set('base', img('b', ['l1', 'l2']));
    d.images.set('committed', img('c', ['l1', 'l2', 'l3']));
    d.images.set('rebuilt', img('r', ['l1', 'x2', 'x3']));
    expect((await judge('image', { image: 'committed', baseImage: 'base' }, d)).pass).toBe(true);
    expect((await judge('image', { image: 'rebuilt', baseImage: 'base' }, d)).found).toBe('it has 3 layers, 1 of them from base (2 layers)');
  });

  it('sharesLayersWith: what a rebuild reused, and sameAs', async () => {
    const d = new FakeDocker();
    d.images.set('v1', img('1', ['deps', 'app1']));
    d.images.set('v2', img('2', ['deps', 'app2']));
    d.images.set('v1again', img('1', ['deps', 'app1']));
    expect((await judge('image', { image: 'v2', sharesLayersWith: 'v1', minSharedLayers: 1, maxSharedLayers: 1 }, d)).pass).toBe(true);
    expect((await judge('image', { image: 'v1again', sameAs: 'v1' }, d)).pass).toBe(true);
    expect((await judge('image', { image: 'v2', sameAs: 'v1' }, d)).pass).toBe(false);
  });

  it('sameAs on the containerd store: a cached rebuild has another ID but the same layers and creation time', async () => {
    const d = new FakeDocker();
    d.images.set('v1', { ...img('1', ['deps', 'app1']), created: 1000, built: 1000 });
    // Its tag moved later (created), but its build made it with v1 (built).
    d.images.set('cached', { ...img('9', ['deps', 'app1']), created: 5000, built: 1000 });
    d.images.set('no-cache', { ...img('8', ['deps', 'app1']), created: 2000, built: 2000 });
    d.images.set('changed', { ...img('7', ['deps', 'app2']), created: 1000, built: 1000 });
    expect((await judge('image', { image: 'cached', sameAs: 'v1' }, d)).pass).toBe(true);
    expect((await judge('image', { image: 'no-cache', sameAs: 'v1' }, d)).pass).toBe(false);
    expect((await judge('image', { image: 'changed', sameAs: 'v1' }, d)).pass).toBe(false);
  });
});

describe('requirements', () => {
  it('says why a host without swap accounting cannot run a lab that needs it', async () => {
    const { unmetRequirements } = await import('../../runner/engine/requirements.js');
    const d = new FakeDocker();
    d.swapLimit = false;
    const unmet = await unmetRequirements({ requires: ['swap-limit', 'cpuset'] }, await d.info());
    expect(unmet).toHaveLength(1);
    expect(unmet[0]).toMatch(/^swap-limit: this kernel does not account swap/);
  });

  it('says why a lab that cannot run on Podman does not start there, and only there', async () => {
    const { unmetRequirements } = await import('../../runner/engine/requirements.js');
    const info = await new FakeDocker().info();
    const lab = { requires: [], podman: 'its builds need BuildKit' };
    expect(await unmetRequirements(lab, { ...info, product: 'Podman' })).toEqual(['Podman: its builds need BuildKit']);
    expect(await unmetRequirements(lab, { ...info, product: 'Docker' })).toEqual([]);
    expect(await unmetRequirements({ requires: [] }, { ...info, product: 'Podman' })).toEqual([]);
  });

  it('stops a session at one gate with every reason, or hands on the lab as the engine can prove it', async () => {
    const { labForEngine, LabUnsupportedError } = await import('../../runner/engine/requirements.js');
    const lab = parseLab(BOX_LAB, '/x/box/lab.md');
    const d = new FakeDocker();
    d.swapLimit = false;
    const refused = await labForEngine({ ...lab, requires: ['swap-limit'] }, await d.info()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LabUnsupportedError);
    expect((refused as InstanceType<typeof LabUnsupportedError>).reasons).toEqual([expect.stringMatching(/^swap-limit: /)]);
    expect((refused as Error).message).toMatch(/^This engine cannot run lab boxes:\n {2}swap-limit: /);
    expect(await labForEngine(lab, await d.info())).toBe(lab);
  });

  it('leaves out a check that needs what the engine lacks, says why in its step, and keeps the rest of the lab', async () => {
    const { checksForEngine } = await import('../../runner/engine/requirements.js');
    const { parseLab } = await import('../../runner/lab/parse.js');
    const lab = parseLab(
      '---\nformat: 1\nid: sw\ntitle: T\nsummary: S\nduration: 1m\n---\n\n## Cap it\n\n```sh\ndocker run -d --name x -m 64m x\n```\n\n```check\n- kind: hostconfig\n  container: x\n  memory: 64m\n- kind: hostconfig\n  container: x\n  memorySwap: 64m\n  requires: [swap-limit]\n```\n',
      'sw/lab.md',
    );
    expect(lab.steps[0]!.checks[1]!.requires).toEqual(['swap-limit']);
    const d = new FakeDocker();
    expect(checksForEngine(lab, await d.info())).toBe(lab);
    d.swapLimit = false;
    const there = checksForEngine(lab, await d.info());
    expect(there.steps[0]!.checks.map((c) => c.fields)).toEqual([{ container: 'x', memory: 64 * 1024 * 1024 }]);
    expect(there.steps[0]!.notHere).toEqual([expect.stringMatching(/^swap-limit: this kernel does not account swap/)]);
    expect(lab.steps[0]!.checks).toHaveLength(2);
  });

  it('judges no --memory-swap where swap is not accounted: the field goes, the rest of the check stays', async () => {
    const { checksForEngine } = await import('../../runner/engine/requirements.js');
    const { parseLab } = await import('../../runner/lab/parse.js');
    const lab = parseLab(
      '---\nformat: 1\nid: sw\ntitle: T\nsummary: S\nduration: 1m\n---\n\n## Cap it\n\n```sh\ndocker run -d --name x -m 64m x\n```\n\n```check\n- kind: hostconfig\n  container: x\n  memory: 64m\n  memorySwap: 64m\n- kind: hostconfig\n  container: x\n  memorySwap: 64m\n```\n',
      'sw/lab.md',
    );
    const d = new FakeDocker();
    d.swapLimit = false;
    const step = checksForEngine(lab, await d.info()).steps[0]!;
    expect(step.checks.map((c) => c.fields)).toEqual([{ container: 'x', memory: 64 * 1024 * 1024 }]);
    expect(step.notHere).toEqual([expect.stringMatching(/^swap-limit: /)]);
  });

  it('refuses a check requirement it does not know, at its line', async () => {
    const { parseLab } = await import('../../runner/lab/parse.js');
    const text = '---\nformat: 1\nid: sw\ntitle: T\nsummary: S\nduration: 1m\n---\n\n## Cap it\n\n```sh\ndocker run x\n```\n\n```check\n- kind: container\n  container: x\n  requires: [swap]\n```\n';
    expect(() => parseLab(text, 'sw/lab.md')).toThrow(/sw\/lab\.md:18.*requires: "swap" is not a requirement/s);
  });
});

describe('logs counting', () => {
  it('counts matching lines exactly', async () => {
    const d = new FakeDocker().add(containerFacts('reg'));
    d.logsOf.set('reg', '"PUT /v2/app/blobs/uploads/1" 201\n"HEAD /v2/app/blobs/x" 200\n"PUT /v2/app/blobs/uploads/2" 201\n');
    expect((await judge('logs', { container: 'reg', countOf: 'PUT /v2/app/blobs/uploads/', count: 2 }, d)).pass).toBe(true);
    expect((await judge('logs', { container: 'reg', countOf: 'PUT /v2/app/blobs/uploads/', count: 4 }, d)).found).toBe('2 do');
  });
});

describe('events check', () => {
  const ev = (action: string, attributes: Record<string, string> = {}) => ({ type: 'container', action, name: 'web', time: 10, attributes });
  it('counts kills by signal and proves the container was not restarted', async () => {
    const d = new FakeDocker();
    d.pastEventsOf.set('web', [ev('create'), ev('start'), ev('kill', { signal: '1' })]);
    expect((await judge('events', { container: 'web', action: 'kill', signal: 'HUP', starts: 1 }, d)).pass).toBe(true);
    d.pastEventsOf.set('web', [ev('create'), ev('start'), ev('kill', { signal: '15' }), ev('die'), ev('start')]);
    const r = await judge('events', { container: 'web', action: 'kill', signal: 'HUP', starts: 1 }, d);
    expect(r.pass).toBe(false);
    expect(r.found).toBe('the engine recorded 0 since the lab began; it was started 2 times since the lab began');
  });

  it('matches actions the engine spells with a detail, with or without it', async () => {
    const d = new FakeDocker();
    d.pastEventsOf.set('web', [ev('start'), ev('health_status: starting'), ev('health_status: unhealthy'), ev('health_status: healthy'), ev('exec_start: sh -c ls')]);
    expect((await judge('events', { container: 'web', action: 'health_status: healthy', count: 1 }, d)).pass).toBe(true);
    expect((await judge('events', { container: 'web', action: 'health_status:healthy', count: 1 }, d)).pass).toBe(true);
    expect((await judge('events', { container: 'web', action: 'health_status', count: 3 }, d)).pass).toBe(true);
    expect((await judge('events', { container: 'web', action: 'exec_start', count: 1 }, d)).pass).toBe(true);
    expect((await judge('events', { container: 'web', action: 'health_status: healthy', count: 2 }, d)).found).toBe('the engine recorded 1 since the lab began');
  });
});

describe('image events', () => {
  const ID = 'sha256:81d445b2';
  const ev = (action: string, id: string, name: string, time: number) => ({ type: 'image', action, id, name, time, attributes: { name } });
  const REF = 'localhost:5111/ship/app:v2';
  const image = (id: string) => ({ id, tags: [REF], size: 1, layers: 1, layerIds: [], created: 1, labels: {} });
  const check = { image: REF, action: 'pull', after: 'untag' };

  it('counts a pull only after the image was removed: by reference (pull) and by the id it names now (untag, delete)', async () => {
    const d = new FakeDocker();
    d.images.set(REF, image(ID));
    // As the classic store spells them: untag and delete name the id, pull and push the reference.
    d.historyOf = [ev('push', REF, 'localhost:5111/ship/app', 1), ev('untag', ID, ID, 2), ev('delete', ID, ID, 3), ev('pull', REF, 'localhost:5111/ship/app', 4)];
    expect((await judge('events', check, d)).pass).toBe(true);
  });

  it('fails a pull of an image the engine still had, and a removal of another image', async () => {
    const d = new FakeDocker();
    d.images.set(REF, image(ID));
    d.historyOf = [ev('pull', REF, 'localhost:5111/ship/app', 1)];
    const r = await judge('events', check, d);
    expect(r.pass).toBe(false);
    expect(r.found).toBe('the engine recorded no untag event of localhost:5111/ship/app:v2 since the lab began');
    d.historyOf = [ev('untag', 'sha256:other', 'sha256:other', 1), ev('pull', REF, 'localhost:5111/ship/app', 2)];
    expect((await judge('events', check, d)).pass).toBe(false);
    // A pull before the removal does not count; nor does a pull of another tag of the same repository.
    d.historyOf = [ev('pull', REF, 'localhost:5111/ship/app', 1), ev('untag', ID, ID, 2), ev('pull', 'localhost:5111/ship/app:v1', 'localhost:5111/ship/app', 3)];
    const late = await judge('events', check, d);
    expect(late.pass).toBe(false);
    expect(late.found).toBe('the engine recorded 0 since the lab began');
  });

  it('does not count the removal of the last run’s copy, made just before this session opened', async () => {
    const d = new FakeDocker();
    d.images.set(REF, image(ID));
    d.historyOf = [ev('untag', ID, ID, 900), ev('pull', REF, 'localhost:5111/ship/app', 1500)];
    const at = (opened: number) => CHECK_KINDS.get('events')!.evaluate(check, { ...ctxOf(d), since: 0, opened });
    expect((await at(1000)).pass).toBe(false);
    expect((await at(800)).pass).toBe(true);
  });

  it('knows an image by its full reference, as an engine may name it', async () => {
    const d = new FakeDocker();
    d.images.set('busybox', image('sha256:b'));
    d.historyOf = [ev('untag', 'docker.io/library/busybox:latest', 'docker.io/library/busybox:latest', 1), ev('pull', 'busybox:latest', 'busybox', 2)];
    expect((await judge('events', { image: 'busybox', action: 'pull', after: 'untag' }, d)).pass).toBe(true);
    expect(fullReference('busybox')).toBe('docker.io/library/busybox:latest');
    expect(fullReference('me/app:v1')).toBe('docker.io/me/app:v1');
    expect(fullReference('localhost:5111/ship/app')).toBe('localhost:5111/ship/app:latest');
    expect(fullReference('registry.example:443/a/b@sha256:00')).toBe('registry.example:443/a/b@sha256:00');
  });
});

describe('check titles', () => {
  const parse = (yaml: string) => parseCheckBlock(yaml, 'lab.md', 10);
  it('say what is checked, with the values asked for', () => {
    const [hc, img1, img2, sh] = parse(
      [
        '- kind: hostconfig\n  container: nd-debug\n  networkMode: container:nd-web\n  capAdd: [NET_RAW, NET_ADMIN]\n  privileged: false\n  memory: 64m',
        '- kind: image\n  image: app:v1\n  maxSize: 10m',
        '- kind: image\n  image: app:v1\n  layers: 3',
        '- kind: shell\n  run: |\n    for i in 1 2 3; do\n      curl -sf http://localhost/\n    done',
      ].join('\n'),
    );
    expect(checkTitle(hc!)).toBe('container nd-debug: networkMode container:nd-web, capAdd NET_RAW, NET_ADMIN, not privileged, memory 64m');
    expect(checkTitle(img1!)).toBe('image app:v1: maxSize 10m');
    expect(checkTitle(img2!)).toBe('image app:v1: layers 3');
    expect(checkTitle(sh!)).toBe('host command `for i in 1 2 3; do …`');
  });

  it('an author names a check with title:, which must be text', () => {
    const [c] = parse('- kind: container\n  container: web\n  state: running\n  title: the web server is up');
    expect(checkTitle(c!)).toBe('the web server is up');
    expect(() => parse('- kind: container\n  container: web\n  state: running\n  title: 3')).toThrow(/lab\.md:13: title must be text/);
  });
});

describe('exact figures are judged on a settled state', () => {
  const spec = (kind: string, fields: Record<string, unknown>) => ({ kind, fields, withinMs: 0, guard: false, pos: { file: 'lab.md', line: 1 } });
  const ctxFor = (docker: FakeDocker): CheckContext => ({ ...ctxOf(docker), settleMs: 20 });
  const starts = (n: number) => Array.from({ length: n }, () => ({ type: 'container', action: 'start', name: 'loop', time: 10, attributes: {} }));
  /** Answers the first read with `first`, every later read with `then`: a figure passing through the right value. */
  const moving = <T>(first: T, then: T) => {
    let reads = 0;
    return () => (reads++ === 0 ? first : then);
  };

  it('events: a container restarting without limit does not pass "started exactly 4 times" as the count goes by', async () => {
    const d = new FakeDocker().add(containerFacts('loop'));
    const read = moving(starts(4), starts(5));
    d.pastEvents = async () => read();
    const check = spec('events', { container: 'loop', action: 'start', count: 4 });
    const r = await judgeOnce(check, ctxFor(d));
    expect(r.pass).toBe(false);
    expect(r.found).toBe('the engine recorded 5 since the lab began');
    d.pastEvents = async () => starts(4);
    expect((await judgeOnce(check, ctxFor(d))).pass).toBe(true);
    // Settled figures, but the container is between restarts: not settled.
    d.add(containerFacts('loop', { state: { status: 'restarting', running: false } }));
    expect((await judgeOnce(check, ctxFor(d))).found).toMatch(/container loop: it is restarting \(restarted 0 times by its policy\), so this is still changing$/);
  });

  it('logs: a line count that is still growing', async () => {
    const d = new FakeDocker().add(containerFacts('app'));
    const read = moving('GET /\nGET /\n', 'GET /\nGET /\nGET /\n');
    d.logs = async () => read();
    const check = spec('logs', { container: 'app', countOf: 'GET /', count: 2 });
    expect((await judgeOnce(check, ctxFor(d))).pass).toBe(false);
    d.logs = async () => 'GET /\nGET /\n';
    expect((await judgeOnce(check, ctxFor(d))).pass).toBe(true);
  });

  it('labelled and compose: a count of containers on its way to another number', async () => {
    const d = new FakeDocker();
    const box = (name: string) => ({ id: name, name, labels: {}, state: 'running', created: 0 });
    const read = moving([box('a'), box('b')], [box('a'), box('b'), box('c')]);
    d.listContainers = async () => read();
    expect((await judgeOnce(spec('labelled', { label: 'app', running: 2 }), ctxFor(d))).pass).toBe(false);
    const read2 = moving([box('a'), box('b')], [box('a')]);
    d.listContainers = async () => read2();
    expect((await judgeOnce(spec('compose', { project: 'p', service: 's', replicas: 2 }), ctxFor(d))).pass).toBe(false);
    d.listContainers = async () => [box('a'), box('b')];
    expect((await judgeOnce(spec('labelled', { label: 'app', running: 2 }), ctxFor(d))).pass).toBe(true);
    expect((await judgeOnce(spec('compose', { project: 'p', service: 's', replicas: 2 }), ctxFor(d))).pass).toBe(true);
  });

  it('only exact figures wait: an at-least count passes at once', async () => {
    const d = new FakeDocker().add(containerFacts('loop'));
    const read = moving(starts(4), starts(9));
    d.pastEvents = async () => read();
    expect((await judgeOnce(spec('events', { container: 'loop', action: 'start', minCount: 3 }), ctxFor(d))).pass).toBe(true);
  });
});

describe('health, dns and image configuration', () => {
  it('health: read on a running container only, and restarts counted exactly', async () => {
    const d = new FakeDocker()
      .add(containerFacts('ok', { state: { health: 'healthy', restarts: 2 } }))
      .add(containerFacts('down', { state: { status: 'exited', running: false, health: 'unhealthy' } }))
      .add(containerFacts('plain'));
    expect((await judge('health', { container: 'ok', status: 'healthy', restarts: 2 }, d)).pass).toBe(true);
    expect((await judge('health', { container: 'ok', status: 'unhealthy' }, d)).found).toBe('it is healthy');
    expect((await judge('health', { container: 'down', status: 'unhealthy' }, d)).found).toBe('it is not running (exited)');
    expect((await judge('health', { container: 'plain', status: 'healthy' }, d)).found).toMatch(/^it has no healthcheck/);
    expect((await judge('health', { container: 'ok', restarts: 3 }, d)).found).toBe('it was restarted 2 times');
  });

  it("dns: what busybox nslookup answered, the resolver's own address left out", () => {
    const out = 'Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\nName:\tredis\nAddress: 172.18.0.3\n';
    expect(answeredAddresses(out)).toEqual(['172.18.0.3']);
    const ok = { exitCode: 0, stdout: out, stderr: '' };
    const nx = { exitCode: 1, stdout: "Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n** server can't find redis: NXDOMAIN\n", stderr: '' };
    expect(judgeDns({ name: 'redis', network: 'am-lan' }, ok).pass).toBe(true);
    expect(judgeDns({ name: 'redis', network: 'am-lan' }, ok, { name: 'am-amb', ips: ['172.18.0.3'] }).pass).toBe(true);
    expect(judgeDns({ name: 'redis', network: 'am-lan' }, ok, { name: 'am-redis1', ips: ['172.18.0.2'] })).toMatchObject({ pass: false, found: 'it resolves to 172.18.0.3' });
    expect(judgeDns({ name: 'redis', network: 'bridge', resolves: false }, nx).pass).toBe(true);
    expect(judgeDns({ name: 'redis', network: 'bridge' }, nx).found).toMatch(/^it does not resolve \(.*NXDOMAIN/);
  });

  it('image: how its containers start, and a lower bound on its size', async () => {
    const d = new FakeDocker();
    d.images.set('app:v1', {
      id: 'sha256:1',
      tags: ['app:v1'],
      size: 250 * 1024 ** 2,
      layers: 5,
      layerIds: [],
      created: 0,
      labels: { team: 'web' },
      config: { entrypoint: ['/entry.sh'], cmd: ['nginx', '-g', 'daemon off;'], user: 'www', exposedPorts: ['80/tcp'], healthcheck: true },
    });
    const all = { image: 'app:v1', minSize: 100 * 1024 ** 2, entrypoint: '/entry.sh', cmd: '/^nginx/', user: 'www', exposes: ['80'], healthcheck: true, labels: ['team=web', 'team'] };
    expect((await judge('image', all, d)).pass).toBe(true);
    const r = await judge('image', { image: 'app:v1', user: '', exposes: ['53/udp'], labels: ['team=db'], minSize: 1024 ** 3 }, d);
    expect(r.found).toBe('it is 262.1MB as docker images shows it (250m); it runs as www; it exposes 80/tcp; its label team is web');
  });
});

describe('container state is judged settled too', () => {
  it('a container its restart policy just brought back is not yet "running"; one that stays up is', async () => {
    const now = Date.parse('2026-01-01T00:00:10Z');
    const flap = containerFacts('loop', { state: { restarts: 6, startedAt: '2026-01-01T00:00:09.800Z' } });
    expect(judgeContainer({ container: 'loop', state: 'running' }, flap, {}, now)).toMatchObject({
      pass: false,
      found: 'it keeps restarting (restarted 6 times by its policy, up 200 ms)',
    });
    const steady = containerFacts('loop', { state: { restarts: 6, startedAt: '2026-01-01T00:00:05Z' } });
    expect(judgeContainer({ container: 'loop', state: 'running' }, steady, {}, now).pass).toBe(true);
    const fresh = containerFacts('web', { state: { restarts: 0, startedAt: '2026-01-01T00:00:09.900Z' } });
    expect(judgeContainer({ container: 'web', state: 'running' }, fresh, {}, now).pass).toBe(true);
  });
});

describe('health is judged settled', () => {
  it('a status that flips between reads does not pass', async () => {
    const d = new FakeDocker();
    let reads = 0;
    d.inspectContainer = async (name: string) => containerFacts(name, { state: { health: reads++ === 0 ? 'healthy' : 'unhealthy' } });
    const check = { kind: 'health', fields: { container: 'web', status: 'healthy' }, withinMs: 0, guard: false, pos: { file: 'lab.md', line: 1 } };
    expect((await judgeOnce(check, { ...ctxOf(d), settleMs: 10 })).found).toBe('it is unhealthy');
    d.inspectContainer = async (name: string) => containerFacts(name, { state: { health: 'healthy' } });
    expect((await judgeOnce(check, { ...ctxOf(d), settleMs: 10 })).pass).toBe(true);
  });
});

describe('exec and http never judge a container in its moment up in a restart loop', () => {
  it('refuse to read a container its policy just brought back, and read one that stays up', async () => {
    const justBack = new Date(Date.now() - 300).toISOString();
    const d = new FakeDocker()
      .add(containerFacts('loop', { state: { restarts: 4, startedAt: justBack } }))
      .add(containerFacts('steady', { state: { restarts: 4, startedAt: new Date(Date.now() - 60_000).toISOString() } }))
      .answer('loop', /cat/, { stdout: 'ready' })
      .answer('steady', /cat/, { stdout: 'ready' });
    expect((await judge('exec', { container: 'loop', run: 'cat /ready', stdout: 'ready' }, d)).found).toMatch(/^container loop: it keeps restarting \(restarted 4 times by its policy, up \d+ ms\)$/);
    expect((await judge('exec', { container: 'steady', run: 'cat /ready', stdout: 'ready' }, d)).pass).toBe(true);
    expect((await judge('http', { from: 'loop', url: 'http://localhost/' }, d)).found).toMatch(/^container loop: it keeps restarting/);
  });
});
