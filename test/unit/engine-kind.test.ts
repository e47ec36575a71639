/**
 * What kind of engine answers, as the adapter reads it from a stand-in engine's /info (Docker Desktop with the
 * containerd image store, a rootless engine) and as doctor says it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DockerAdapter } from '../../runner/docker/adapter.js';
import { engineKind, engineStorage } from '../../runner/docker/engine-kind.js';
import { closeStandInEngines, standInEngine } from './stand-in-engine.js';

afterEach(closeStandInEngines);

async function engineAnswering(info: object): Promise<DockerAdapter> {
  const socketPath = await standInEngine((req, res) => {
    const path = (req.url ?? '').split('?')[0]!.replace(/^\/v[\d.]+/, '');
    res.setHeader('content-type', 'application/json');
    if (path === '/info') res.end(JSON.stringify(info));
    else if (path === '/version') res.end(JSON.stringify({ Version: '27.5.1', ApiVersion: '1.47' }));
    else {
      res.statusCode = 404;
      res.end(JSON.stringify({ message: 'not here' }));
    }
  });
  return new DockerAdapter({ url: `unix://${socketPath}`, socketPath, source: 'the test' });
}

describe('the kind of engine', () => {
  it('reads Docker Desktop with the containerd image store', async () => {
    const info = await (
      await engineAnswering({
        ID: 'D',
        OperatingSystem: 'Docker Desktop',
        CgroupVersion: '2',
        Driver: 'overlayfs',
        DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']],
        SecurityOptions: ['name=seccomp,profile=unconfined', 'name=cgroupns'],
      })
    ).info();
    expect(info).toMatchObject({ desktop: true, imageStore: 'containerd', rootless: false, cgroupVersion: '2' });
    expect(engineKind(info, { url: 'unix:///var/run/docker.sock' })).toBe('Docker Desktop (the engine runs in its own VM)');
    expect(engineStorage(info)).toBe('the containerd image store (storage driver overlayfs), cgroup v2');
  });

  it('reads a rootless engine with the classic store, and names a remote one', async () => {
    const info = await (
      await engineAnswering({
        ID: 'R',
        OperatingSystem: 'Debian GNU/Linux 13 (trixie)',
        CgroupVersion: '2',
        Driver: 'overlay2',
        DriverStatus: [['Backing Filesystem', 'extfs']],
        SecurityOptions: ['name=seccomp,profile=builtin', 'name=rootless', 'name=cgroupns'],
      })
    ).info();
    expect(info).toMatchObject({ desktop: false, imageStore: 'classic', rootless: true });
    expect(engineKind(info, { url: 'ssh://lab@10.0.2.15' })).toBe(
      "Docker Engine, rootless (in a user namespace), reached at ssh://lab@10.0.2.15, so this machine's /proc, nproc and disks may not be the engine's",
    );
    expect(engineKind({ ...info, rootless: false }, { url: 'tcp://127.0.0.1:2375' })).toBe(
      "Docker Engine, reached at tcp://127.0.0.1:2375, so this machine's /proc, nproc and disks may not be the engine's",
    );
  });
});
