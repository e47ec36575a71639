import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { engineDown, planLines, stillOurs, TRIXIE_PIN, TRIXIE_SOURCES } from '../../runner/host/engine.js';
import { addedPackages, installedFrom, readHostChanges, recordHostChanges } from '../../runner/host/host-changes.js';
import { identify, processAlive } from '../../runner/host/process-identity.js';

const dirs: string[] = [];
const stateDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lean-labs-engine-host-'));
  dirs.push(d);
  return d;
};
const children: number[] = [];
afterEach(() => {
  for (const pid of children.splice(0)) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const host = (dir: string) => ({ say: () => {}, confirm: async () => false, stateDir: dir });

describe('engine down signals only the dockerd engine up started', () => {
  const bystander = () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(child.pid!);
    return child.pid!;
  };

  it('reads who a pid is from /proc: its program and start time', () => {
    const pid = bystander();
    const who = identify(pid)!;
    expect(who.program).toBe('sleep');
    expect(who.start).toMatch(/^\d+$/);
    expect(identify(2 ** 22 + 7)).toBeUndefined();
  });

  it('a pid now held by another program, or by a later dockerd, is not ours', () => {
    const now = { pid: 42, start: '900', program: 'dockerd' };
    expect(stillOurs({ pid: 42, start: '900', program: 'dockerd' }, now).ours).toBe(true);
    expect(stillOurs({ pid: 42 }, now).ours).toBe(true);
    expect(stillOurs({ pid: 42, start: '900', program: 'dockerd' }, { ...now, program: 'postgres' })).toEqual({ ours: false, why: 'pid 42 is now postgres, not the dockerd lean-labs started' });
    expect(stillOurs({ pid: 42, start: '500', program: 'dockerd' }, now).why).toBe('pid 42 is a dockerd started later, not the one lean-labs started');
    expect(stillOurs({ pid: 42 }, undefined).why).toBe('pid 42 is not running');
  });

  it('after a reboot the old pid file names an unrelated process: it is left running and the file is dropped', async () => {
    for (const format of ['bare number', 'record'] as const) {
      const dir = stateDir();
      const pid = bystander();
      const who = identify(pid)!;
      writeFileSync(join(dir, 'dockerd.pid'), format === 'bare number' ? String(pid) : JSON.stringify({ ...who, program: 'dockerd' }));
      const said = await engineDown(host(dir));
      expect(said).toBe(`The engine lean-labs started is no longer running (pid ${pid} is now sleep, not the dockerd lean-labs started); nothing was signalled.`);
      expect(processAlive(pid)).toBe(true);
      expect(existsSync(join(dir, 'dockerd.pid'))).toBe(false);
    }
  });

  it('without a pid file it leaves the engine alone, and purge without a record installs nothing away', async () => {
    const dir = stateDir();
    expect(await engineDown(host(dir))).toMatch(/^lean-labs did not start the running engine/);
    expect(await engineDown(host(dir), { purge: true })).toMatch(/installed nothing on this system \(no record of changes\), so there is nothing to purge\.$/);
  });
});

describe('what engine up changes on the system is listed before and recorded after', () => {
  it('lists every change when trixie must be added, and fewer when the sources already hold it', () => {
    const dir = stateDir();
    const added = planLines({ hasNewerSuite: false, mirror: 'http://mirror.example/debian', packages: ['docker.io/trixie', 'docker-compose/trixie', 'debootstrap'] }, dir);
    expect(added).toHaveLength(6);
    expect(added[0]).toBe(`write ${TRIXIE_SOURCES}: Debian 13 (trixie) from http://mirror.example/debian, for docker.io 26 and Compose v2`);
    expect(added[1]).toMatch(new RegExp(`^write ${TRIXIE_PIN}: trixie at priority 100`));
    expect(added[3]).toMatch(/^install docker\.io, docker-compose, debootstrap, with the dependencies apt chooses/);
    expect(added[5]).toContain('`npx lean-labs engine down --purge` undoes them');
    const plain = planLines({ hasNewerSuite: true, packages: ['docker.io', 'docker-compose', 'debootstrap'] }, dir);
    expect(plain.some((l) => l.includes(TRIXIE_SOURCES))).toBe(false);
    expect(plain).toHaveLength(4);
  });

  it('records only packages that were not installed before, and keeps adding across runs', () => {
    const before = installedFrom('bash\tinstalled\nlibc6:amd64\tinstalled\nold\tconfig-files\n');
    expect([...before].sort()).toEqual(['bash', 'libc6']);
    const after = installedFrom('bash\tinstalled\nlibc6:amd64\tinstalled\ndocker.io\tinstalled\ncontainerd\tinstalled\nold\tconfig-files\n');
    expect(addedPackages(before, after)).toEqual(['containerd', 'docker.io']);
    const dir = stateDir();
    recordHostChanges(dir, { files: [TRIXIE_SOURCES], packages: [] });
    recordHostChanges(dir, { files: [], packages: ['docker.io', 'containerd'] });
    expect(recordHostChanges(dir, { files: [TRIXIE_SOURCES], packages: ['debootstrap'] })).toEqual({
      files: [TRIXIE_SOURCES],
      packages: ['containerd', 'debootstrap', 'docker.io'],
    });
    expect(readHostChanges(dir)).toEqual(JSON.parse(readFileSync(join(dir, 'host-changes.json'), 'utf8')));
  });
});
