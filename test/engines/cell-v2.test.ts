/**
 * The classroom's cell on a cgroup v2 engine. The class's hosts here are cgroup v1, where the swarm project proves the
 * cell from a learner's shell; this runs the same sandbox recipe on the matrix's v2 VM: a one-node swarm there, one
 * sandbox service made by the class's own spec (sandboxService: capabilities, seccomp, limits, cell ids), and in it
 * the cell and the learner's dockerd started as the agent starts them (lean-labs-cell-start, then dockerd through
 * lean-labs-cell-enter with the cell's runtime). Then, typed in the cell as the learner: the v2 limits bind, the cell
 * cannot raise them or leave its cgroup, and the host's kernel settings stay out of reach.
 */
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeCellIds, sandboxService } from '../../classroom/sandbox-spec.js';
import { loadCatalog } from '../../runner/images/catalog.js';
import { selectedEngines } from './engines.js';
// @ts-expect-error: a plain zx script, run directly too.
import { bootVm, buildVm, imagesLayer } from './vm/vm.mjs';

const run = promisify(execFile);
const MINUTE = 60_000;
const CELL_RUNC = '/usr/local/lib/lean-labs-cell/cell-runc';

describe.runIf(selectedEngines().includes('vm'))('the cell on cgroup v2 (the class sandbox recipe in the VM)', () => {
  let vm: { dockerHost: string; stop(): Promise<void> };
  let task = '';
  const sandboxTag = loadCatalog('images').get('sandbox')!.tag;
  const busybox = loadCatalog('images').get('busybox')!.tag;
  const docker = (args: string[], input?: string, timeout = 5 * MINUTE) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      const child = execFile('docker', args, { env: { ...process.env, DOCKER_HOST: vm.dockerHost }, timeout, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
      if (input !== undefined) child.stdin?.end(input);
    });
  /** A script typed in the cell, as the learner's shell runs there. */
  const inCell = (script: string, timeout = 3 * MINUTE) => docker(['exec', task, 'lean-labs-cell-enter', 'bash', '-c', script], undefined, timeout);

  beforeAll(async () => {
    const say = (l: string) => process.stderr.write(`${l}\n`);
    const files = await buildVm(say);
    const layer = await imagesLayer(files, { engine: 'rootful', images: [sandboxTag, busybox], say });
    vm = await bootVm(files, { backing: layer, say });
    expect((await docker(['info', '--format', '{{.CgroupVersion}}'])).out.trim()).toBe('2');
    expect((await docker(['swarm', 'init', '--advertise-addr', '10.0.2.15'])).code).toBe(0);
    const net = (await docker(['network', 'create', '-d', 'overlay', 'll-cell-net'])).out.trim();
    const secret = (await docker(['secret', 'create', 'll-cell-token', '-'], 'not-a-real-token')).out.trim();
    const [host, port] = vm.dockerHost.replace('tcp://', '').split(':');
    const engine = new Dockerode({ host, port: Number(port) });
    const spec = sandboxService({
      className: 'v2',
      slot: 1,
      cellIds: freeCellIds([], 'll-v2-001'),
      refuse: ['10.0.2.2'],
      image: sandboxTag,
      labs: ['namespaces'],
      serverUrl: 'http://10.0.2.2:9',
      memoryBytes: 1024 * 1024 * 1024,
      reservationBytes: 0,
      pids: 2048,
      networkId: net,
      secretId: secret,
      secretName: 'll-cell-token',
    });
    // The agent's part, by hand: the cell, then the learner's dockerd in it through the cell's runtime.
    const agent = [
      `lean-labs-cell-start "$LEAN_LABS_CELL_IDS" $(echo "$LEAN_LABS_CELL_REFUSE" | tr , ' ') >>/var/log/cell.log 2>&1 &`,
      'until [ -s /run/lean-labs-cell/pid ]; do sleep 0.2; done',
      `lean-labs-cell-enter dockerd --host=unix:///run/docker.sock --add-runtime=cell=${CELL_RUNC} --default-runtime=cell >/var/log/lean-labs-dockerd.log 2>&1 &`,
      'exec sleep infinity',
    ].join('\n');
    const container = spec.TaskTemplate!.ContainerSpec!;
    await engine.createService({ ...spec, TaskTemplate: { ...spec.TaskTemplate, ContainerSpec: { ...container, Command: ['sh', '-c', agent] } } } as Dockerode.ServiceSpec);
    const until = Date.now() + 10 * MINUTE;
    while (Date.now() < until) {
      task = (await docker(['ps', '-q', '--filter', 'label=com.docker.swarm.service.name=ll-v2-001'])).out.trim();
      if (task && (await inCell('docker version --format {{.Server.Version}}', MINUTE)).code === 0) break;
      await new Promise((r) => setTimeout(r, 3000));
    }
    const logs = task ? (await docker(['exec', task, 'sh', '-c', 'tail -n 5 /var/log/cell.log /var/log/lean-labs-dockerd.log'])).out : 'no task';
    expect((await inCell('docker version --format {{.Server.Version}}', MINUTE)).code, logs).toBe(0);
    // The learner's engine gets busybox from the VM's engine (a class's server sends its images the same way).
    const saved = await run('sh', ['-c', `docker save ${busybox} | docker exec -i ${task} lean-labs-cell-enter docker load -q`], {
      env: { ...process.env, DOCKER_HOST: vm.dockerHost },
      cwd: tmpdir(),
    });
    expect(saved.stdout).toContain('Loaded image');
  }, 40 * MINUTE);

  afterAll(async () => vm?.stop());

  it('the cell sees cgroup v2 rooted at its own cgroup, with limits below the sandbox’s, which it cannot raise', async () => {
    const r = await inCell(
      [
        'stat -fc %T /sys/fs/cgroup',
        'cat /proc/self/cgroup',
        'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max',
        '{ echo max > /sys/fs/cgroup/memory.max; } 2>/dev/null && echo RAISED-MEMORY',
        '{ echo max > /sys/fs/cgroup/pids.max; } 2>/dev/null && echo RAISED-PIDS',
        'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max',
      ].join('; '),
    );
    const lines = r.out.trim().split('\n');
    expect(lines[0], r.out).toBe('cgroup2fs');
    // Its cgroup namespace is rooted at the cell: the sandbox's cgroup is not in sight.
    expect(lines[1]).toMatch(/^0::\/(init)?$/);
    const [memory, pids] = [Number(lines[2]), Number(lines[3])];
    expect(memory).toBeGreaterThan(0);
    expect(memory).toBeLessThan(1024 * 1024 * 1024);
    expect(pids).toBeLessThan(2048);
    expect(r.out).not.toContain('RAISED');
    expect(lines.slice(-2)).toEqual([String(memory), String(pids)]);
  });

  it('a fresh cgroup2 mount shows only the cell’s tree, and nothing moves out of it', async () => {
    const r = await inCell(
      [
        'mkdir -p /tmp/cg && mount -t cgroup2 none /tmp/cg && echo MOUNTED',
        'diff <(ls /tmp/cg) <(ls /sys/fs/cgroup) >/dev/null && echo SAME-TREE',
        'cat /proc/self/cgroup',
        '{ echo "|/bin/sh -c id" > /proc/sys/kernel/core_pattern; } 2>/dev/null && echo CORE-PATTERN',
        '{ mknod /tmp/disk b 254 0; } 2>/dev/null && echo MKNOD',
        'umount /tmp/cg',
      ].join('; '),
    );
    expect(r.out).toContain('SAME-TREE');
    expect(r.out).not.toMatch(/CORE-PATTERN|MKNOD/);
    expect(r.out).toMatch(/^0::\/(init)?$/m);
  });

  it('an inner container past its memory limit is killed in the cell: exit 137, OOMKilled', async () => {
    // dd's 64 MiB buffer, filled, does not fit under 32 MiB.
    const r = await inCell(
      `docker run --name hog -m 32m ${busybox} dd if=/dev/zero of=/dev/null bs=64M count=1; docker inspect -f '{{.State.ExitCode}} {{.State.OOMKilled}}' hog; docker rm -f hog >/dev/null`,
      5 * MINUTE,
    );
    expect(r.out.trim().split('\n').at(-1)).toBe('137 true');
  });

  it("processes started in an inner container stop at the cell's pids limit, and the cell still answers", async () => {
    // An inner container with no limit of its own tries 5000 sleeping processes (long sleeps: under emulation the
    // loop takes over a minute, and a process that ended would free its place). A shell that cannot fork ends: each
    // start is counted in a file as it happens, read back without forking.
    const flood = `docker run --rm ${busybox} sh -c 'sh -c "i=0; while [ \\$i -lt 5000 ]; do sleep 900 & i=\\$((i+1)); echo \\$i > /tmp/n; done" 2>/dev/null; read n < /tmp/n; echo "started $n"'`;
    const r = await inCell(flood, 5 * MINUTE);
    const started = Number(/started (\d+)/.exec(r.out)?.[1]);
    const limit = Number((await inCell('cat /sys/fs/cgroup/pids.max')).out.trim());
    expect(started, r.out.slice(-500)).toBeGreaterThan(100);
    expect(started).toBeLessThan(limit);
    expect((await inCell('echo still-here')).out.trim()).toBe('still-here');
  });
});
