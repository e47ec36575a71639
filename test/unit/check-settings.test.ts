import { describe, expect, it } from 'vitest';
import { CHECK_KINDS } from '../../runner/checks/registry.js';
import type { CheckContext, Measurements } from '../../runner/checks/types.js';
import { isCommandPid1 } from '../../runner/checks/kinds/container.js';
import { judgeHistoryOrder } from '../../runner/checks/kinds/image.js';
import { ofThisSession } from '../../runner/checks/kinds/events.js';
import { parseCheckBlock } from '../../runner/lab/check-block.js';
import { LabFormatError } from '../../runner/lab/errors.js';
import { containerFacts, FakeDocker } from './fake-docker.js';

/**
 * The settings checks read besides limits and modes (published ports, devices, pids and ulimits, security options,
 * --init, --user, labels, -d), the one-off containers of `compose run`, health by Compose service, and counts kept
 * between steps: each passes on every spelling of the right answer and fails on the likely wrong one.
 */
const memory = (): Measurements => {
  const m = new Map<string, number>();
  return { get: (k) => m.get(k), set: (k, v) => void m.set(k, v) };
};
const ctxOf = (docker: FakeDocker, measurements?: Measurements): CheckContext => ({ docker, labels: { 'lean-labs.lab': 't' }, helperImage: 'lean-labs/busybox:v1', since: 0, measurements });
const judge = (kind: string, fields: Record<string, unknown>, docker: FakeDocker, m?: Measurements) => CHECK_KINDS.get(kind)!.evaluate(fields, ctxOf(docker, m));
const hostconfig = (name: string, over: object) => containerFacts(name, { hostConfig: over });

describe('hostconfig: published ports', () => {
  const d = new FakeDocker()
    .add(hostconfig('loop', { portBindings: { '5000/tcp': [{ hostIp: '127.0.0.1', hostPort: '5111' }] } }))
    .add(hostconfig('v6loop', { portBindings: { '5000/tcp': [{ hostIp: '::1', hostPort: '5111' }] } }))
    .add(hostconfig('everywhere', { portBindings: { '5000/tcp': [{ hostIp: '', hostPort: '5111' }] } }))
    .add(
      hostconfig('both', {
        portBindings: {
          '5000/tcp': [
            { hostIp: '127.0.0.1', hostPort: '5111' },
            { hostIp: '0.0.0.0', hostPort: '5111' },
          ],
        },
      }),
    )
    .add(hostconfig('otherport', { portBindings: { '5000/tcp': [{ hostIp: '127.0.0.1', hostPort: '5112' }] } }));
  const want = { ports: ['127.0.0.1:5111:5000'] };

  it('passes a binding on loopback only, whichever loopback address', async () => {
    expect((await judge('hostconfig', { container: 'loop', ...want }, d)).pass).toBe(true);
    expect((await judge('hostconfig', { container: 'v6loop', ...want }, d)).pass).toBe(true);
  });

  it('fails a port published on every interface, and says what that opens', async () => {
    const r = await judge('hostconfig', { container: 'everywhere', ...want }, d);
    expect(r.pass).toBe(false);
    expect(r.found).toBe('published: every interface:5111->5000/tcp (on every interface: anyone who reaches this machine reaches it)');
    expect((await judge('hostconfig', { container: 'both', ...want }, d)).pass).toBe(false);
  });

  it('fails another host port, and passes any address when the lab gives none', async () => {
    expect((await judge('hostconfig', { container: 'otherport', ...want }, d)).pass).toBe(false);
    expect((await judge('hostconfig', { container: 'everywhere', ports: ['5111:5000'] }, d)).pass).toBe(true);
    expect((await judge('hostconfig', { container: 'everywhere', ports: ['5111:5000/udp'] }, d)).pass).toBe(false);
  });
});

describe('hostconfig: devices, limits, security options, init and user', () => {
  it('tells --device from a bind mount of the device file', async () => {
    const d = new FakeDocker()
      .add(hostconfig('dev', { devices: [{ host: '/dev/zero', container: '/dev/lab-zero', permissions: 'rwm' }] }))
      .add(containerFacts('bound', { mounts: [{ type: 'bind', source: '/dev/zero', destination: '/dev/lab-zero', rw: true }] }));
    expect((await judge('hostconfig', { container: 'dev', devices: ['/dev/zero:/dev/lab-zero'] }, d)).pass).toBe(true);
    const r = await judge('hostconfig', { container: 'bound', devices: ['/dev/zero:/dev/lab-zero'] }, d);
    expect(r).toMatchObject({ pass: false, found: 'devices: none (a bind mount of a device file is not --device)' });
  });

  it('reads --pids-limit and --ulimit (soft:hard, or one value for both)', async () => {
    const d = new FakeDocker().add(hostconfig('lim', { pidsLimit: 64, ulimits: [{ name: 'nofile', soft: 1024, hard: 1024 }] }));
    expect((await judge('hostconfig', { container: 'lim', pidsLimit: 64, ulimits: ['nofile=1024'] }, d)).pass).toBe(true);
    expect((await judge('hostconfig', { container: 'lim', ulimits: ['nofile=1024:2048'] }, d)).found).toBe('ulimits: nofile=1024:1024');
    expect((await judge('hostconfig', { container: 'lim', pidsLimit: 100 }, d)).found).toBe('the limit is 64');
    d.add(containerFacts('free'));
    expect((await judge('hostconfig', { container: 'free', pidsLimit: 64 }, d)).found).toBe('no process limit');
  });

  it("takes every spelling of no-new-privileges, and a seccomp profile of the learner's own", async () => {
    const d = new FakeDocker();
    for (const [name, opt] of [
      ['a', 'no-new-privileges'],
      ['b', 'no-new-privileges:true'],
      ['c', 'no-new-privileges=true'],
    ] as const)
      d.add(hostconfig(name, { securityOpt: [opt] }));
    for (const name of ['a', 'b', 'c']) expect((await judge('hostconfig', { container: name, securityOpt: ['no-new-privileges'] }, d)).pass).toBe(true);
    d.add(hostconfig('off', { securityOpt: ['no-new-privileges=false'] })).add(hostconfig('profile', { securityOpt: ['seccomp={"defaultAction":"SCMP_ACT_ERRNO"}'] }));
    expect((await judge('hostconfig', { container: 'off', securityOpt: ['no-new-privileges'] }, d)).pass).toBe(false);
    expect((await judge('hostconfig', { container: 'profile', securityOpt: ['seccomp=custom'] }, d)).pass).toBe(true);
    expect((await judge('hostconfig', { container: 'profile', securityOpt: ['seccomp=unconfined'] }, d)).found).toBe('security options: seccomp=(a profile)');
  });

  it('checks --init both ways', async () => {
    const d = new FakeDocker().add(hostconfig('init', { init: true })).add(containerFacts('plain'));
    expect((await judge('hostconfig', { container: 'init', init: true }, d)).pass).toBe(true);
    expect((await judge('hostconfig', { container: 'plain', init: true }, d)).found).toBe('it runs without --init');
    expect((await judge('hostconfig', { container: 'init', init: false }, d)).pass).toBe(false);
  });

  it("compares a user by name or uid through the container's /etc/passwd", async () => {
    const d = new FakeDocker().add(containerFacts('num', { user: '65534' })).add(containerFacts('root'));
    d.files.set('num:/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
    d.files.set('root:/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n');
    expect((await judge('hostconfig', { container: 'num', user: 'nobody' }, d)).pass).toBe(true);
    expect((await judge('hostconfig', { container: 'num', user: '65534' }, d)).pass).toBe(true);
    expect((await judge('hostconfig', { container: 'root', user: 'nobody' }, d)).found).toBe('it runs as root (no --user, and the image sets no USER)');
    expect((await judge('hostconfig', { container: 'root', user: '0' }, d)).pass).toBe(true);
  });

  it('finds a named volume wherever it is mounted with name:*', async () => {
    const d = new FakeDocker()
      .add(containerFacts('from', { mounts: [{ type: 'volume', name: 'cs-conf', source: '', destination: '/etc/nginx/conf.d', rw: true }] }))
      .add(containerFacts('elsewhere', { mounts: [{ type: 'volume', name: 'cs-conf', source: '', destination: '/conf', rw: true }] }))
      .add(containerFacts('other', { mounts: [{ type: 'volume', name: 'other', source: '', destination: '/conf', rw: true }] }));
    for (const name of ['from', 'elsewhere']) expect((await judge('hostconfig', { container: name, mounts: ['cs-conf:*'] }, d)).pass).toBe(true);
    expect((await judge('hostconfig', { container: 'other', mounts: ['cs-conf:*'] }, d)).found).toBe('mounts: other:/conf');
  });
});

describe('container: labels, -d, and PID 1', () => {
  it('checks labels by key and value', async () => {
    const d = new FakeDocker().add(containerFacts('side', { labels: { 'es.sidekick-for': 'es-app1' } })).add(containerFacts('byhand'));
    expect((await judge('container', { container: 'side', labels: ['es.sidekick-for=es-app1'] }, d)).pass).toBe(true);
    expect((await judge('container', { container: 'side', labels: ['es.sidekick-for=es-app2'] }, d)).found).toBe('its label es.sidekick-for is "es-app1"');
    expect((await judge('container', { container: 'byhand', labels: ['es.sidekick-for'] }, d)).found).toBe('it has no label es.sidekick-for');
  });

  it('tells a run attached to the terminal from one started with -d', async () => {
    const d = new FakeDocker().add(containerFacts('fg', { attachedOutput: true })).add(containerFacts('bg', { attachedOutput: false }));
    expect((await judge('container', { container: 'fg', detached: false }, d)).pass).toBe(true);
    expect((await judge('container', { container: 'bg', detached: false }, d)).found).toBe('it was started detached (-d): docker run returned before the command ran');
    expect((await judge('container', { container: 'bg', detached: true }, d)).pass).toBe(true);
  });

  it("PID 1 is the container's own program, also when a shell replaced itself with it; not an init", () => {
    expect(isCommandPid1(['sleep', 'infinity'], ['sleep', 'infinity'])).toBe(true);
    expect(isCommandPid1(['tail', '-f', '/dev/null'], ['tail', '-f', '/dev/null'])).toBe(true);
    expect(isCommandPid1(['sh', '-c', 'sleep infinity'], ['sleep', 'infinity'])).toBe(true);
    expect(isCommandPid1(['sh', '-c', 'while true; do sleep 1; done'], ['sh', '-c', 'while true; do sleep 1; done'])).toBe(true);
    expect(isCommandPid1(['sleep', 'infinity'], ['/sbin/docker-init', '--', 'sleep', 'infinity'])).toBe(false);
    expect(isCommandPid1(['sleep', 'infinity'], [])).toBe(false);
  });

  it('reads PID 1 inside the container and names --init when it is in the way', async () => {
    const d = new FakeDocker().add(containerFacts('init', { hostConfig: { init: true } }));
    d.execAnswers.push({ container: 'init', match: /cat \/proc\/1\/cmdline/, result: { exitCode: 0, stdout: '/sbin/docker-init\0--\0sleep\0infinity\0', stderr: '' } });
    const r = await judge('container', { container: 'init', commandIsPid1: true }, d);
    expect(r).toMatchObject({ pass: false, found: 'PID 1 is `/sbin/docker-init -- sleep infinity` (--init puts a tiny init first)' });
    d.add(containerFacts('plain'));
    d.execAnswers.push({ container: 'plain', match: /cat \/proc\/1\/cmdline/, result: { exitCode: 0, stdout: 'sleep\0infinity\0', stderr: '' } });
    expect((await judge('container', { container: 'plain', commandIsPid1: true }, d)).pass).toBe(true);
  });
});

describe('compose: one-off containers and depends_on', () => {
  const labels = (service: string, more: Record<string, string> = {}) => ({ 'com.docker.compose.project': 'p', 'com.docker.compose.service': service, ...more });
  it('does not count a `compose run` container as a replica', async () => {
    const d = new FakeDocker()
      .add(containerFacts('p-app-1', { labels: labels('app', { 'com.docker.compose.oneoff': 'False' }) }))
      .add(containerFacts('p-app-run-1', { labels: labels('app', { 'com.docker.compose.oneoff': 'True' }) }));
    const r = await judge('compose', { project: 'p', service: 'app', replicas: 2 }, d);
    expect(r).toMatchObject({ pass: false, found: '1 running, besides 1 one-off container of `compose run`, which is no replica' });
    expect((await judge('compose', { project: 'p', service: 'app', replicas: 1 }, d)).pass).toBe(true);
  });

  it('reads what a service waits for from the label Compose writes', async () => {
    const d = new FakeDocker()
      .add(containerFacts('p-app-1', { labels: labels('app', { 'com.docker.compose.depends_on': 'db:service_healthy:false,cache:service_started:false' }) }))
      .add(containerFacts('p-web-1', { labels: labels('web', { 'com.docker.compose.depends_on': 'db:service_started:false' }) }));
    expect((await judge('compose', { project: 'p', service: 'app', dependsOn: ['db:service_healthy', 'cache'] }, d)).pass).toBe(true);
    const r = await judge('compose', { project: 'p', service: 'web', dependsOn: ['db:service_healthy'] }, d);
    expect(r).toMatchObject({ pass: false, found: 'it depends on db (service_started)' });
  });
});

describe('health by Compose service', () => {
  it('judges every running replica, and says which one is off', async () => {
    const svc = { 'com.docker.compose.project': 'p', 'com.docker.compose.service': 'db' };
    const d = new FakeDocker().add(containerFacts('p-db-1', { labels: svc, state: { health: 'healthy' } })).add(containerFacts('p-db-2', { labels: svc, state: { health: 'starting' } }));
    const r = await judge('health', { project: 'p', service: 'db', status: 'healthy' }, d);
    expect(r).toMatchObject({ pass: false, found: 'it is starting' });
    expect(r.expected).toContain('p-db-2 is running and healthy');
    expect((await judge('health', { project: 'p', service: 'none', status: 'healthy' }, d)).found).toBe('no container of it is running');
  });
});

describe('logs: counts kept between steps', () => {
  const push = (n: number) => Array.from({ length: n }, (_, k) => `"PUT /v2/app/blobs/uploads/${k}"`).join('\n');
  it('counts only what came after a recorded count, and compares with it', async () => {
    const m = memory();
    const d = new FakeDocker().add(containerFacts('reg'));
    d.logsOf.set('reg', push(4));
    const count = { container: 'reg', countOf: 'PUT /v2/app/blobs/uploads/' };
    expect((await judge('logs', { ...count, minCount: 2, record: 'first' }, d, m)).pass).toBe(true);
    const second = { ...count, since: 'first', minCount: 1, fewerThan: 'first' };
    expect((await judge('logs', second, d, m)).found).toBe('0 do (4 in all, 4 before)');
    d.logsOf.set('reg', push(6));
    expect((await judge('logs', second, d, m)).pass).toBe(true);
    d.logsOf.set('reg', push(8));
    expect((await judge('logs', second, d, m)).found).toBe('4 do (8 in all, 4 before), against 4');
  });

  it('says so when the count to compare with was never recorded', async () => {
    const d = new FakeDocker().add(containerFacts('reg'));
    const r = await judge('logs', { container: 'reg', countOf: 'PUT', since: 'first', minCount: 1 }, d, memory());
    expect(r).toMatchObject({ pass: false, found: 'nothing was recorded as "first" in this session: do that step first' });
  });
});

describe('image: the order of build steps', () => {
  const classic = [
    '/bin/sh -c #(nop) ADD file:busybox in /',
    '/bin/sh -c #(nop) COPY dir:1f2e in /app ',
    '/bin/sh -c sleep 4 && cat /app/deps.txt > /installed-deps.txt',
    '/bin/sh -c #(nop)  CMD ["sh" "/app/app.sh"]',
  ];
  const reordered = [
    'ADD file:busybox in /',
    'COPY deps.txt /app/deps.txt # buildkit',
    'RUN /bin/sh -c sleep 4 && cat /app/deps.txt > /installed-deps.txt # buildkit',
    'COPY . /app # buildkit',
    'CMD ["sh" "/app/app.sh"]',
  ];
  const order = ['deps.txt', 'sleep 4', '/COPY|ADD/'];
  it('passes the install before the app, from either builder, and fails the other order', () => {
    expect(judgeHistoryOrder(order, reordered).ok).toBe(true);
    const r = judgeHistoryOrder(order, classic);
    expect(r.ok).toBe(false);
    expect(r.found).toMatch(/^the step matching sleep 4 comes too early: 1\. ADD file:busybox in \/ \| 2\. COPY dir:1f2e in \/app/);
    expect(judgeHistoryOrder(order, null).found).toBe('its history could not be read');
  });
});

describe('the parser refuses malformed new fields with the fix', () => {
  const parse = (yaml: string) => () => parseCheckBlock(yaml, 'lab.md', 10);
  it.each([
    ['- kind: hostconfig\n  container: a\n  ports: [localhost:80]', /ports: "localhost:80" is not a published port/],
    ['- kind: hostconfig\n  container: a\n  ulimits: [nofile]', /ulimits: "nofile" is not a ulimit/],
    ['- kind: hostconfig\n  container: a\n  devices: [zero:lab]', /devices: "zero:lab" is not a device/],
    ['- kind: compose\n  project: p\n  service: s\n  dependsOn: ["db:healthy"]', /dependsOn: "db:healthy" is not a dependency/],
    ['- kind: health\n  status: healthy', /this health check does not say what it looks at/],
    ['- kind: health\n  project: p\n  status: healthy', /Give `container:`, or `project:` and `service:`/],
  ])('%s', (yaml, message) => {
    expect(parse(yaml)).toThrow(LabFormatError);
    expect(parse(yaml)).toThrow(message);
  });
});

describe('events of an earlier container of the same name', () => {
  it('do not count once it was gone before the session opened; a container replaced during the session still counts', () => {
    const ev = (id: string, action: string, time: number) => ({ type: 'container', id, action, name: 'web', time, attributes: {} });
    const events = [ev('old', 'start', 900), ev('old', 'destroy', 990), ev('new', 'start', 1010), ev('new', 'destroy', 1500), ev('newer', 'start', 1600)];
    expect(ofThisSession(events, 1000).map((e) => `${e.id} ${e.action}`)).toEqual(['new start', 'new destroy', 'newer start']);
    expect(ofThisSession(events, undefined)).toHaveLength(5);
  });
});
