import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePattern, dockerSize, formatSize, parseDuration, parseSize } from '../../runner/checks/values.js';
import { cgroupReading, expectedReadings, sharesToWeight, sharesToWeightQuadratic } from '../../runner/host/cgroup.js';
import { debianMirror, parseDeb822, parseSourcesList } from '../../runner/host/apt.js';
import { judgeOwnership } from '../../runner/engine/ownership.js';
import { HEARTBEAT_MS, newSession, readSession, windowLive, type SessionRecord } from '../../runner/engine/session.js';
import { buildOrder, fromLines, loadCatalog } from '../../runner/images/catalog.js';
import { demuxBuffer, firstFileFromTar } from '../../runner/docker/demux.js';
import { localSockets, parseDockerHost, resolveEndpoint, tlsFromEnv } from '../../runner/docker/endpoint.js';
import { BuildStreamReader } from '../../runner/docker/build-stream.js';

describe('values', () => {
  it('parses sizes the way docker run takes them', () => {
    expect(parseSize('64m')).toBe(67108864);
    expect(parseSize('1g')).toBe(1073741824);
    expect(parseSize('512k')).toBe(524288);
    expect(parseSize('64MB')).toBe(67108864);
    expect(parseSize(1000)).toBe(1000);
    expect(parseSize('lots')).toBeUndefined();
  });

  it('parses durations', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('2m')).toBe(120000);
    expect(parseDuration('soon')).toBeUndefined();
  });

  it('treats /…/ as a regular expression and anything else as a substring', () => {
    const re = compilePattern('/^\\s*1 sleep$/m');
    const sub = compilePattern('a.b');
    expect(typeof re !== 'string' && re.test('  PID\n    1 sleep\n')).toBe(true);
    expect(typeof sub !== 'string' && sub.test('axb')).toBe(false);
    expect(compilePattern('/(/')).toMatch(/invalid regular expression/);
  });

  it('formats sizes as learners type them when exact', () => {
    expect(formatSize(67108864)).toBe('64m');
    expect(formatSize(5_500_000)).toBe('5.2 MiB');
    // As docker images prints them: decimal units, four significant digits.
    expect(dockerSize(228_000_000)).toBe('228MB');
    expect(dockerSize(1_990_000)).toBe('1.99MB');
    expect(dockerSize(4096)).toBe('4.096kB');
    expect(dockerSize(999)).toBe('999B');
  });
});

describe('cgroup readings', () => {
  it('uses v1 and v2 file layouts', () => {
    expect(cgroupReading('1', 'memory-limit').files).toEqual(['/sys/fs/cgroup/memory/memory.limit_in_bytes']);
    expect(cgroupReading('2', 'memory-limit').files).toEqual(['/sys/fs/cgroup/memory.max']);
    expect(cgroupReading('1', 'cpus').parse(['50000', '100000'])).toBe('0.5');
    expect(cgroupReading('1', 'cpus').parse(['-1', '100000'])).toBe('max');
    expect(cgroupReading('2', 'memory-swap-limit').parse(['67108864', '0'])).toBe('67108864');
  });

  it('converts shares to weight both ways runtimes do', () => {
    expect(sharesToWeightQuadratic(1024)).toBe(100);
    expect(sharesToWeightQuadratic(2)).toBe(1);
    expect(sharesToWeightQuadratic(262144)).toBe(10000);
    expect(expectedReadings('2', 'cpu-shares', 1024)).toEqual(['39', '100']);
    expect(expectedReadings('1', 'cpu-shares', 1024)).toEqual(['1024']);
    expect(sharesToWeight(1024)).toBe(39);
    expect(sharesToWeight(2)).toBe(1);
    expect(sharesToWeight(262144)).toBe(10000);
  });
});

describe('apt sources', () => {
  const deb822 =
    'Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\nComponents: main\n';
  it('reads deb822 and one-line sources', () => {
    expect(parseDeb822(deb822).map((s) => s.uri)).toEqual(['http://mirror.example/debian', 'http://mirror.example/debian-security']);
    expect(parseSourcesList('# c\ndeb [arch=amd64] http://m.example/debian bookworm main contrib\n')).toEqual([
      { uri: 'http://m.example/debian', suites: ['bookworm'], components: ['main', 'contrib'] },
    ]);
  });

  it("takes the machine's own Debian mirror, never the security one, and lets the environment override", () => {
    expect(debianMirror({}, parseDeb822(deb822))).toBe('http://mirror.example/debian');
    expect(debianMirror({ LEAN_LABS_DEBIAN_MIRROR: 'http://local/debian' }, [])).toBe('http://local/debian');
    expect(debianMirror({}, [])).toBeUndefined();
  });
});

describe('ownership', () => {
  const T = 1_000_000;
  // A session whose process is this one (alive), and one whose process is gone (pid 0 never runs anything).
  const live = newSession('lab', 'verify', T);
  const dead: SessionRecord = { ...live, windows: [{ ...live.windows[0]!, pid: 0, aliveAt: T + 10_000 }] };
  const own = (created: number, s: SessionRecord | undefined, labels: Record<string, string> = {}, key = `container:x@${created}`) => judgeOwnership({ labels, created }, key, 'lab', s).owned;

  it("owns what the runner labelled for this lab, and never another lab's", () => {
    expect(own(0, undefined, { 'lean-labs.lab': 'lab' })).toBe(true);
    expect(own(T + 5, live, { 'lean-labs.lab': 'other' })).toBe(false);
  });
  it('owns a same-named thing made while a live session of the lab is open', () => {
    expect(own(T + 500, live)).toBe(true);
    expect(own(T + 86_400_000, live)).toBe(true);
    expect(own(T + 500, undefined)).toBe(false);
  });
  it('never owns what was there before the session began, however close to its start', () => {
    expect(own(T - 60_000, live)).toBe(false);
    const held = { ...live, preexisting: [`container:x@${T - 1000}`] };
    expect(own(T - 1000, held)).toBe(false);
  });
  it('claims nothing made after the process of a session died (its last heartbeat bounds it)', () => {
    expect(own(T + 9_000, dead)).toBe(true);
    expect(own(T + 10_000 + HEARTBEAT_MS + 1000 + 1, dead)).toBe(false);
    expect(own(T + 60_000, dead)).toBe(false);
    expect(judgeOwnership({ labels: {}, created: T + 60_000 }, 'k', 'lab', dead)).toEqual({ owned: false, why: 'closed' });
  });
  it("owns what the learner confirmed as the lab's", () => {
    expect(own(T + 60_000, { ...dead, adopted: [`container:x@${T + 60_000}`] })).toBe(true);
  });
  it('counts a closed window and not the gap before the next one', () => {
    const resumed: SessionRecord = {
      ...live,
      windows: [
        { ...live.windows[0]!, to: T + 5_000 },
        { ...live.windows[0]!, from: T + 100_000 },
      ],
    };
    expect(own(T + 4_000, resumed)).toBe(true);
    expect(own(T + 50_000, resumed)).toBe(false);
    expect(own(T + 100_500, resumed)).toBe(true);
  });
  it("reads the engine's creation times on our clock (skew)", () => {
    const ahead = { ...dead, skewMs: 3_600_000 };
    expect(own(T + 3_600_000 + 9_000, ahead)).toBe(true);
    expect(own(T + 9_000, ahead)).toBe(false);
  });
  it('treats a record from before windows as closed at its start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-legacy-'));
    mkdirSync(join(dir, 'sessions'));
    writeFileSync(join(dir, 'sessions', 'lab.json'), JSON.stringify({ lab: 'lab', session: 'abc', startedAt: T, mode: 'verify' }));
    const legacy = readSession(dir, 'lab')!;
    expect(own(T + 500, legacy)).toBe(false);
    expect(own(T - 500, legacy)).toBe(true);
  });
  it('a window is live only while its own process runs', () => {
    expect(windowLive(live.windows[0]!)).toBe(true);
    expect(windowLive(dead.windows[0]!)).toBe(false);
    expect(windowLive({ ...live.windows[0]!, procStart: 'another-start' })).toBe(false);
    expect(windowLive({ ...live.windows[0]!, host: 'another-host' })).toBe(false);
  });
});

describe('image catalog', () => {
  it('finds lab-image and base dependencies in FROM lines', () => {
    expect(fromLines('FROM debian:bookworm-slim AS b\nFROM --platform=x lean-labs/busybox:latest\nFROM scratch')).toEqual({ deps: ['busybox'], needsBase: true });
    expect(fromLines('ARG BASE=debian:bookworm-slim\nFROM ${BASE} AS build\nFROM scratch')).toEqual({ deps: [], needsBase: true });
    expect(fromLines('FROM scratch')).toEqual({ deps: [], needsBase: false });
  });

  it('versions an image by its files and its parents, and orders builds', () => {
    const root = mkdtempSync(join(tmpdir(), 'll-images-'));
    const make = (name: string, dockerfile: string) => {
      mkdirSync(join(root, name), { recursive: true });
      writeFileSync(join(root, name, 'Dockerfile'), dockerfile);
    };
    make('busybox', 'FROM debian:bookworm-slim\n');
    make('web', 'FROM lean-labs/busybox\nCOPY x /x\n');
    writeFileSync(join(root, 'web', 'x'), 'one');
    const v1 = loadCatalog(root);
    expect(buildOrder(v1, ['web']).map((d) => d.name)).toEqual(['busybox', 'web']);
    expect(v1.get('web')!.needsBase).toBe(true);
    expect(v1.get('web')!.tag).toMatch(/^lean-labs\/web:[0-9a-f]{12}$/);
    writeFileSync(join(root, 'busybox', 'Dockerfile'), 'FROM debian:bookworm-slim\nRUN true\n');
    const v2 = loadCatalog(root);
    expect(v2.get('busybox')!.version).not.toBe(v1.get('busybox')!.version);
    expect(v2.get('web')!.version, 'a changed parent changes the child').not.toBe(v1.get('web')!.version);
  });

  it('names a missing parent and a cycle', () => {
    const root = mkdtempSync(join(tmpdir(), 'll-images-'));
    mkdirSync(join(root, 'a'));
    writeFileSync(join(root, 'a', 'Dockerfile'), 'FROM lean-labs/nope\n');
    expect(() => loadCatalog(root)).toThrow(/there is no images\/nope\/ folder/);
    writeFileSync(join(root, 'a', 'Dockerfile'), 'FROM lean-labs/b\n');
    mkdirSync(join(root, 'b'));
    writeFileSync(join(root, 'b', 'Dockerfile'), 'FROM lean-labs/a\n');
    expect(() => loadCatalog(root)).toThrow(/circle: a -> b -> a/);
  });
});

describe('docker plumbing', () => {
  it('demultiplexes framed output', () => {
    const frame = (stream: number, text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = stream;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    expect(demuxBuffer(Buffer.concat([frame(1, 'out '), frame(2, 'err'), frame(1, 'more')]))).toEqual({ stdout: 'out more', stderr: 'err' });
    expect(demuxBuffer(Buffer.from('plain tty output'))).toEqual({ stdout: 'plain tty output', stderr: '' });
  });

  it('reads the first file of a tar archive', () => {
    const header = Buffer.alloc(512);
    header.write('conf', 0);
    header.write('00000000005\0', 124);
    header.write('0', 156);
    const body = Buffer.alloc(512);
    body.write('hello');
    expect(firstFileFromTar(Buffer.concat([header, body, Buffer.alloc(1024)]))?.toString()).toBe('hello');
    const link = Buffer.alloc(512);
    link.write('gcc', 0);
    link.write('00000000000\0', 124);
    link.write('2', 156);
    link.write('gcc-12', 157);
    expect(firstFileFromTar(Buffer.concat([link, Buffer.alloc(1024)]))?.toString()).toBe('gcc-12');
  });

  it('parses DOCKER_HOST', () => {
    expect(parseDockerHost('unix:///run/d.sock', 'env')).toMatchObject({ socketPath: '/run/d.sock' });
    expect(parseDockerHost('tcp://10.0.0.5:2376', 'env')).toMatchObject({ host: '10.0.0.5', port: 2376 });
    expect(parseDockerHost('ssh://box', 'env')).toMatchObject({ ssh: { host: 'box' } });
    expect(parseDockerHost('ssh://deploy@10.0.0.5:2222', 'env')).toMatchObject({ ssh: { host: '10.0.0.5', user: 'deploy', port: 2222 } });
  });

  it('looks for local sockets in order: Docker as root, rootless Docker, Docker Desktop, then Podman', () => {
    expect(localSockets({ XDG_RUNTIME_DIR: '/run/user/1000', HOME: '/home/ada' })).toEqual([
      { path: '/var/run/docker.sock', source: 'default socket' },
      { path: '/run/user/1000/docker.sock', source: 'rootless Docker socket' },
      { path: '/home/ada/.docker/run/docker.sock', source: 'Docker Desktop socket' },
      { path: '/run/podman/podman.sock', source: 'Podman socket' },
      { path: '/run/user/1000/podman/podman.sock', source: 'rootless Podman socket' },
    ]);
    expect(localSockets({ HOME: '/root' }).map((s) => s.source)).toEqual(['default socket', 'Docker Desktop socket', 'Podman socket']);
  });

  it('reads TLS the way the docker CLI does: from the environment, or from a context that holds certificates', () => {
    const tls = tlsFromEnv({ DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' });
    expect(tls).toEqual({ dir: '/certs', verify: true });
    expect(tlsFromEnv({ DOCKER_TLS: '1', DOCKER_CONFIG: '/cfg' })).toEqual({ dir: '/cfg', verify: false });
    expect(tlsFromEnv({ DOCKER_CERT_PATH: '/certs' })).toBeUndefined();
    expect(parseDockerHost('tcp://10.0.0.5', 'DOCKER_HOST', tls)).toMatchObject({ port: 2376, tls });
    expect(parseDockerHost('tcp://10.0.0.5', 'DOCKER_HOST')).toMatchObject({ port: 2375 });
    const config = mkdtempSync(join(tmpdir(), 'll-context-'));
    const hash = createHash('sha256').update('remote').digest('hex');
    mkdirSync(join(config, 'contexts/meta', hash), { recursive: true });
    mkdirSync(join(config, 'contexts/tls', hash, 'docker'), { recursive: true });
    writeFileSync(join(config, 'config.json'), '{"currentContext":"remote"}');
    writeFileSync(join(config, 'contexts/meta', hash, 'meta.json'), JSON.stringify({ Name: 'remote', Endpoints: { docker: { Host: 'tcp://engine.example:2376', SkipTLSVerify: false } } }));
    writeFileSync(join(config, 'contexts/tls', hash, 'docker', 'ca.pem'), 'x');
    expect(resolveEndpoint({ DOCKER_CONFIG: config })).toMatchObject({
      host: 'engine.example',
      port: 2376,
      source: 'docker context "remote"',
      tls: { dir: join(config, 'contexts/tls', hash, 'docker'), verify: true },
    });
    rmSync(config, { recursive: true, force: true });
  });

  it('keeps the failing build step and its output', () => {
    const steps: string[] = [];
    const r = new BuildStreamReader((p) => p.kind === 'step' && steps.push(p.text));
    r.feed({ stream: 'Step 1/2 : FROM debian:bookworm-slim\n ---> abc\n' });
    r.feed({ stream: 'Step 2/2 : RUN apt-get install nope\n ---> Running in 123\n' });
    r.feed({ stream: 'E: Unable to locate package nope\n' });
    r.feed({
      error: "The command '/bin/sh -c apt-get install nope' returned a non-zero code: 100",
      errorDetail: { message: "The command '/bin/sh -c apt-get install nope' returned a non-zero code: 100" },
    });
    const err = r.failure('lean-labs/x:1');
    expect(steps).toEqual(['FROM debian:bookworm-slim', 'RUN apt-get install nope']);
    expect(err?.message).toContain('failed at step 2/2 (RUN apt-get install nope)');
    expect(err?.message).toContain('E: Unable to locate package nope');
  });
});

describe('engine packages', () => {
  it('takes only the engine packages from trixie on a Debian 12 machine, and nothing special on newer ones', async () => {
    const { enginePackages } = await import('../../runner/host/engine.js');
    expect(enginePackages(false)).toEqual(['docker.io/trixie', 'docker-compose/trixie', 'debootstrap']);
    expect(enginePackages(true)).toEqual(['docker.io', 'docker-compose', 'debootstrap']);
  });
});
