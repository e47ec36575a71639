import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerFacts, engineEvent, engineInfo, imageFacts } from '../../runner/docker/mapping.js';

/** Answers recorded from real engines: this machine's (cgroup v1, classic store) and the matrix VM's (cgroup v2, containerd). */
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures/engine', name), 'utf8');
const json = (name: string) => JSON.parse(fixture(name));

describe("the engine's answers, read", () => {
  it('names the engine: cgroup version, image store, product, rootless, swap accounting', () => {
    const host = engineInfo(json('host-info.json'), json('host-version.json'));
    expect(host).toMatchObject({ product: 'Docker', cgroupVersion: '1', imageStore: 'classic', storageDriver: 'overlay2', rootless: false, desktop: false });
    expect(host.serverVersion).toMatch(/^26\./);
    const vm = engineInfo(json('vm-info.json'), json('vm-version.json'));
    expect(vm).toMatchObject({ product: 'Docker', cgroupVersion: '2', imageStore: 'containerd', rootless: false, operatingSystem: 'Debian GNU/Linux 13 (trixie)' });
    const rootless = engineInfo({ ...json('vm-info.json'), SecurityOptions: ['name=seccomp,profile=builtin', 'name=rootless', 'name=cgroupns'] }, json('vm-version.json'));
    expect(rootless.rootless).toBe(true);
  });

  it('reads a container: its limits, ports, restart policy, health and capabilities', () => {
    const c = containerFacts(json('host-container.json'));
    expect(c.name).toBe('fx-web');
    expect(c.state).toMatchObject({ status: 'running', running: true, health: 'healthy' });
    expect(c.hostConfig).toMatchObject({ memory: 64 * 1024 * 1024, memorySwap: 64 * 1024 * 1024, restartPolicy: 'on-failure', restartRetries: 2, readonlyRootfs: true, capDrop: ['ALL'] });
    expect(c.hostConfig.portBindings['80/tcp']).toEqual([{ hostIp: '127.0.0.1', hostPort: '5997' }]);
    expect(c.labels['lean-labs.fixture']).toBe('1');
    expect(c.cmd).toEqual(['sleep', '300']);
  });

  it("reads an image's build time apart from when its tag last moved (both stores)", () => {
    const vm = imageFacts(json('vm-image.json'));
    expect(vm.built).toBe(Date.parse(json('vm-image.json').Created));
    expect(vm.created).toBe(Date.parse(json('vm-image.json').Metadata.LastTagTime));
    expect(vm.created).toBeGreaterThan(vm.built!);
    expect(vm.layerIds).toHaveLength(vm.layers);
    const host = imageFacts(json('host-image.json'));
    expect(host.tags).toContain('lean-labs/busybox:latest');
    expect(host.built).toBeGreaterThan(0);
  });

  it('reads events whole: the action with its detail, the actor, the time to the millisecond', () => {
    const events = fixture('host-events.jsonl')
      .split('\n')
      .filter(Boolean)
      .map((l) => engineEvent(JSON.parse(l)));
    const kill = events.find((e) => e.action === 'kill');
    expect(kill).toMatchObject({ type: 'container', name: 'fx-web', attributes: expect.objectContaining({ signal: '1' }) });
    expect(events.some((e) => e.action.startsWith('exec_start: '))).toBe(true);
    for (const e of events) expect(e.time % 1000 === 0 && e.time > 0).toBe(false);
  });
});
