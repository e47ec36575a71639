import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { invalidEvent, type ClassEvent } from '../../classroom/events.js';
import { dropEvent, Outbox } from '../../classroom/outbox.js';
import { ProgressMapper } from '../../classroom/runner-progress.js';
import { classHooks } from '../../classroom/runner-hooks.js';
import { CELL_BLOCK, freeCellIds, parseBytes, sandboxService, sweepService } from '../../classroom/sandbox-spec.js';
import type { SANDBOX_SECCOMP } from '../../classroom/sandbox-seccomp.js';
import { CLASS_NODE, classDockerfile, portableNode, staleClassImages } from '../../classroom/class-image.js';
import { exportRows, statusRows } from '../../classroom/server/report.js';
import { taskState } from '../../classroom/server/sandbox-keeper.js';
import { sweepLines, sweepReports } from '../../classroom/cli/sweep.js';
import { ClassStore } from '../../classroom/server/store.js';
import { classUrl } from '../../classroom/client/join.js';
import { demux } from '../../runner/docker/demux.js';
import { parseLab } from '../../runner/lab/parse.js';
import { BOX_LAB } from './box-lab.js';
import { swarmTask } from './swarm-task.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'll-class-unit-'));
const settings = { name: 'c', learners: 2, joinCode: 'ABC234', instructorToken: 't' };

function ev(seq: number, e: Partial<ClassEvent>): ClassEvent {
  return { seq, at: 1000 * seq, type: 'judged', lab: 'ns', step: 's1', stepIndex: 0, steps: 3, ...e } as ClassEvent;
}

describe("the class's hooks into the runner", () => {
  it('offers the class labs, reports a session to the outbox, and waits for the images the agent loads', async () => {
    const outbox = tmp();
    const marker = join(tmp(), 'images-loading');
    const hooks = classHooks({ LEAN_LABS_CLASS_LABS: 'ns,cgroups', LEAN_LABS_CLASS_OUTBOX: outbox }, marker);
    expect(hooks.labs).toEqual(['ns', 'cgroups']);
    const report = await hooks.progressFor!(parseLab(BOX_LAB, '/x/box/lab.md'));
    report({ kind: 'opened', progress: { step: 0, hints: {}, completed: [], updatedAt: 0 } });
    expect(readdirSync(outbox)).toHaveLength(1);
    const said: string[] = [];
    await hooks.imagesLoading!((l) => said.push(l));
    expect(said).toEqual([]);
    writeFileSync(marker, '');
    const waiting = hooks.imagesLoading!((l) => said.push(l));
    await new Promise((r) => setTimeout(r, 50));
    expect(said).toEqual(['Your class is loading the lab images into your sandbox…']);
    rmSync(marker);
    await waiting;
  });

  it('adds nothing outside a class', () => {
    const hooks = classHooks({}, join(tmp(), 'none'));
    expect(hooks.labs).toBeUndefined();
    expect(hooks.progressFor).toBeUndefined();
  });
});

describe('the outbox', () => {
  it('numbers events in the order the runner dropped them and keeps them until acknowledged', () => {
    const dir = tmp();
    for (let i = 0; i < 3; i++) dropEvent(dir, { at: i, type: 'lab', lab: 'ns' });
    const box = new Outbox(dir);
    box.numberNew();
    expect(box.pending().map((e) => [e.seq, e.at])).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
    ]);
    box.acknowledge([1, 2]);
    expect(box.pending().map((e) => e.seq)).toEqual([3]);
  });

  it('never gives a number twice, across restarts of the agent and after everything was acknowledged', () => {
    const dir = tmp();
    dropEvent(dir, { at: 1, type: 'lab', lab: 'ns' });
    const first = new Outbox(dir);
    first.numberNew();
    first.acknowledge([1]);
    dropEvent(dir, { at: 2, type: 'lab', lab: 'ns' });
    const again = new Outbox(dir);
    again.numberNew();
    expect(again.pending().map((e) => e.seq)).toEqual([2]);
    expect(again.epoch).toBe(first.epoch);
    expect(new Outbox(tmp()).epoch).not.toBe(first.epoch);
  });

  it('drops a damaged file instead of sending it forever', () => {
    const dir = tmp();
    const box = new Outbox(dir);
    writeFileSync(join(dir, 'seq-000000000007.json'), '{not json');
    expect(box.pending()).toEqual([]);
    expect(readdirSync(dir).filter((n) => n.startsWith('seq-'))).toEqual([]);
  });
});

describe('events from a sandbox are untrusted', () => {
  it('accepts the known shape', () => {
    expect(invalidEvent(ev(1, { checks: [{ title: 'x', pass: false, message: 'm' }], passed: false }))).toBeUndefined();
  });
  it.each([
    ['no seq', { seq: 0 }],
    ['an unknown type', { type: 'rm -rf' }],
    ['a step event without its step', { type: 'done', step: undefined }],
    ['a huge lab name', { lab: 'x'.repeat(500) }],
    ['a check without a verdict', { checks: [{ title: 'x' }] }],
    ['too many checks', { checks: Array.from({ length: 101 }, () => ({ title: 'x', pass: true })) }],
  ])('refuses %s', (_what, change) => {
    expect(invalidEvent({ ...ev(1, {}), ...change })).toBeDefined();
  });
});

describe('the class store', () => {
  it('stores each event once however often it is sent, and folds where the learner stands', async () => {
    const store = await ClassStore.open();
    store.addSandbox({ id: 's1', slot: 1, service: 's1', token: 'tok1' });
    store.updateSandbox('s1', { state: 'ready' });
    store.claim({ id: 'l1', name: 'Ada', token: 'lt1' });
    const batch = [
      ev(1, { type: 'lab', labTitle: 'Namespaces' }),
      ev(2, {
        type: 'judged',
        passed: false,
        checks: [
          { title: 'a', pass: true },
          { title: 'b', pass: false, message: 'no ns-a' },
        ],
      }),
      ev(3, { type: 'hint', hints: 1 }),
      ev(4, { type: 'done', at: 61_000 }),
    ];
    store.addEvents('s1', 'e1', batch);
    store.addEvents('s1', 'e1', batch); // a resend after a lost acknowledgement
    expect(store.eventCount('s1')).toBe(4);
    const pos = store.position('s1')!;
    expect(pos).toMatchObject({ lab: 'ns', labTitle: 'Namespaces', step: 's1', passed: 1, total: 2, done: 1 });
    const status = statusRows(store, settings, 70_000, () => true);
    expect(status.rows[0]).toMatchObject({ learner: 'Ada', state: 'claimed', stepNumber: 1, steps: 3, failing: 'no ns-a' });
    expect(exportRows(store, 'csv').trim().split('\n')[1]).toBe('l1,Ada,ns,1,s1,1970-01-01T00:00:01.000Z,1970-01-01T00:01:01.000Z,60,1,false');
  });

  it('never gives one sandbox to two learners, and says when none is free', async () => {
    const store = await ClassStore.open();
    store.addSandbox({ id: 's1', slot: 1, service: 's1', token: 'a' });
    store.addSandbox({ id: 's2', slot: 2, service: 's2', token: 'b' });
    store.updateSandbox('s2', { state: 'ready' });
    expect(store.claim({ id: 'l1', name: 'A', token: 'x' })?.sandbox).toBe('s2');
    expect(store.claim({ id: 'l2', name: 'B', token: 'y' })).toBeUndefined();
  });

  it('keeps everything it confirmed across a restart', async () => {
    const file = join(tmp(), 'class.db');
    const store = await ClassStore.open(file);
    store.addSandbox({ id: 's1', slot: 1, service: 's1', token: 'tok' });
    store.addEvents('s1', 'e1', [ev(1, { type: 'lab' })]);
    await store.durable();
    // No close: as if the process were killed right after the acknowledgement.
    const reopened = await ClassStore.open(file);
    expect(reopened.eventCount('s1')).toBe(1);
    expect(reopened.sandboxByToken('tok')?.id).toBe('s1');
  });

  it('shows the latest activity at once but writes it at most every 10 s (each keystroke touches it)', async () => {
    const file = join(tmp(), 'class.db');
    const store = await ClassStore.open(file);
    store.addSandbox({ id: 's1', slot: 1, service: 's1', token: 'a' });
    store.updateSandbox('s1', { state: 'ready' });
    store.claim({ id: 'l1', name: 'A', token: 'x' }, 0);
    store.touchLearner('l1', 1_000);
    store.touchLearner('l1', 5_000);
    expect(store.learners()[0]!.lastSeen).toBe(5_000);
    expect(store.learnerByToken('x')!.lastSeen).toBe(5_000);
    await store.durable();
    expect((await ClassStore.open(file)).learners()[0]!.lastSeen).toBe(1_000);
    store.touchLearner('l1', 11_000);
    await store.durable();
    expect((await ClassStore.open(file)).learners()[0]!.lastSeen).toBe(11_000);
  });

  it('export quotes what a spreadsheet would run as a formula', async () => {
    const store = await ClassStore.open();
    store.addSandbox({ id: 's1', slot: 1, service: 's1', token: 'a' });
    store.updateSandbox('s1', { state: 'ready' });
    store.claim({ id: 'l1', name: '=HYPERLINK("x")', token: 'x' });
    store.addEvents('s1', 'e', [ev(1, { type: 'lab' })]);
    expect(exportRows(store, 'csv')).toContain(`"'=HYPERLINK(""x"")"`);
  });
});

describe('what the runner reports to the class', () => {
  const lab = parseLab(BOX_LAB, 'box.md');

  it('sends a judgement only when the verdict changes, and a done step and a hint once', () => {
    let now = 0;
    const m = new ProgressMapper(lab, () => ++now);
    const progress = { step: 0, hints: {}, completed: [], updatedAt: 0 };
    expect(m.map({ kind: 'opened', progress }).map((e) => e.type)).toEqual(['lab']);
    const check = lab.steps[0]!.checks[0]!;
    const judged = (pass: boolean) => ({ kind: 'judged' as const, index: 0, cause: 'event' as const, passed: pass, results: [{ check, outcome: { pass, expected: 'x', found: 'y' } }] });
    expect(m.map(judged(false))).toHaveLength(1);
    expect(m.map(judged(false))).toHaveLength(0);
    expect(m.map(judged(true))[0]).toMatchObject({ type: 'judged', passed: true, step: lab.steps[0]!.id });
    const done = { step: 0, hints: { [lab.steps[0]!.id]: 1 }, completed: [lab.steps[0]!.id], updatedAt: 1 };
    expect(
      m
        .map({ kind: 'progress', progress: done })
        .map((e) => e.type)
        .sort(),
    ).toEqual(['done', 'hint']);
    expect(m.map({ kind: 'progress', progress: done })).toEqual([]);
    expect(m.map({ kind: 'command', text: 'x', what: 'solution' })[0]).toMatchObject({ type: 'solve', stepIndex: 0 });
    expect(m.map({ kind: 'command', text: 'x', what: 'commands' })).toEqual([]);
  });
});

describe('sandboxes as Swarm sees them', () => {
  const task = swarmTask;

  it('is ready only once its agent says so', () => {
    expect(taskState([task({})], false).state).toBe('pending');
    expect(taskState([task({})], true).state).toBe('ready');
  });

  it('shows a task that died and came back as restarting, with why', () => {
    const t = taskState(
      [task({ id: 'old', state: 'failed', desiredState: 'shutdown', error: 'task: non-zero exit (137)', exitCode: 137, createdAt: 1 }), task({ id: 'new', state: 'starting', createdAt: 2 })],
      false,
    );
    expect(t).toMatchObject({ state: 'restarting', restarts: 1 });
    expect(t.message).toMatch(/starting/);
  });

  it("shows a sandbox no node can take as pending with Swarm's reason, and a rejected one as failed", () => {
    expect(taskState([task({ state: 'pending', message: 'no suitable node (insufficient resources on 1 node)' })], false)).toMatchObject({
      state: 'pending',
      message: expect.stringMatching(/insufficient resources/) as unknown as string,
    });
    expect(taskState([task({ state: 'rejected', desiredState: 'shutdown', error: 'task: non-zero exit (1)' })], false)).toMatchObject({ state: 'failed', message: 'task: non-zero exit (1)' });
  });

  it('says a node lacks the class image, and what to run, instead of Swarm\'s "No such image"', () => {
    const rejected = task({ id: 'old', state: 'rejected', desiredState: 'shutdown', error: 'No such image: lean-labs/class-sandbox:abc', createdAt: 1 });
    expect(taskState([rejected], false)).toMatchObject({ state: 'failed', message: expect.stringMatching(/lacks the class image.*class add-machine/) as unknown as string });
    // Swarm tries again: the new task waits, and the reason stays the missing image.
    const again = taskState([rejected, task({ id: 'new', state: 'pending', message: 'pending task scheduling', createdAt: 2 })], false);
    expect(again).toMatchObject({ state: 'restarting', message: expect.stringMatching(/lacks the class image/) as unknown as string });
  });

  it("runs the other nodes' volume removal as a one-off job on every node but the manager, with that node's engine only", () => {
    const spec = sweepService('c', 'img:1', 'mgr');
    expect(spec.Mode).toEqual({ GlobalJob: {} });
    expect(spec.Labels).toMatchObject({ 'lean-labs.class': 'c', 'lean-labs.role': 'sweep' });
    expect(spec.TaskTemplate.Placement).toEqual({ Constraints: ['node.id!=mgr'] });
    expect(spec.TaskTemplate.RestartPolicy).toEqual({ Condition: 'none' });
    expect(spec.TaskTemplate.ContainerSpec.Command.slice(-4)).toEqual(['class', 'sweep', '--name', 'c']);
    expect(spec.TaskTemplate.ContainerSpec.Mounts).toEqual([{ Type: 'bind', Source: '/var/run/docker.sock', Target: '/var/run/docker.sock' }]);
    expect(spec.TaskTemplate.ContainerSpec.CapabilityAdd).toBeUndefined();
  });

  it("reports each node's removal, and names what to run on a node that did not answer", () => {
    const node = (id: string, hostname: string, state = 'ready'): SwarmNode => ({ id, hostname, state, availability: 'active', role: 'worker', memoryBytes: 1, cpus: 1, addr: '' });
    // Nodes and volumes in the order Swarm and the removals happened to give them: the report is sorted by name.
    const others = [node('c', 'charlie'), node('a', 'alpha'), node('d', 'delta', 'down'), node('b', 'bravo')];
    const logs = [
      'll-c-sweep.0.x@alpha    | {"sweep":"c","node":"alpha","removed":["ll-c-001-home","ll-c-001-engine"],"left":[]}',
      '{"sweep":"other","node":"bravo","removed":["x"],"left":[]}',
      '{"sweep":"c","node":"bravo","removed":[],"left":["ll-c-002-home"]}',
      '{"sweep":"c","node":"charlie","removed":[',
    ];
    const reports = sweepReports(logs, 'c');
    expect(reports.map((r) => r.node)).toEqual(['alpha', 'bravo']);
    const tasks = [task({ nodeId: 'c', state: 'failed', error: 'task: non-zero exit (1)' })];
    const { lines, complete } = sweepLines('c', others, tasks, reports);
    expect(complete).toBe(false);
    expect(lines[0]).toBe('  on alpha: removed 2 volumes: ll-c-001-engine, ll-c-001-home');
    expect(lines[1]).toMatch(/^ {2}on bravo: could not remove 1 volume \(still in use\): ll-c-002-home; on it, `docker volume rm/);
    expect(lines[2]).toMatch(/^ {2}charlie did not finish \(task: non-zero exit \(1\)\)/);
    expect(lines[3]).toMatch(/^ {2}delta is down: .*label=lean-labs\.class=c/);
    // A node without the class image never ran a sandbox: nothing to say of it.
    const clean = sweepLines('c', [node('a', 'alpha'), node('e', 'echo')], [task({ nodeId: 'e', state: 'rejected', error: 'No such image: img:1' })], [reports[0]!]);
    expect(clean).toEqual({ lines: ['  on alpha: removed 2 volumes: ll-c-001-engine, ll-c-001-home'], complete: true });
  });

  it('asks Swarm for a nested engine without --privileged, limited and reserved, its learner in a cell of its own ids', () => {
    const spec = sandboxService({
      className: 'c',
      slot: 7,
      cellIds: 300 * 65536,
      refuse: ['192.0.2.2', 'not-an-address', '192.0.2.2'],
      image: 'img',
      labs: ['ns'],
      serverUrl: 'http://h:1',
      memoryBytes: 2 ** 31,
      reservationBytes: 2 ** 29,
      pids: 4096,
      networkId: 'n',
      secretId: 'sid',
      secretName: 'sn',
    });
    const c = spec.TaskTemplate.ContainerSpec;
    expect(spec.Name).toBe('ll-c-007');
    // Only what the agent needs to make the cell; never the host's cgroup tree, never a host folder.
    expect(c.CapabilityDrop).toEqual(['ALL']);
    expect(c.CapabilityAdd).not.toContain('ALL');
    expect(c.CapabilityAdd).not.toContain('CAP_SYS_MODULE');
    expect(c.CapabilityAdd).not.toContain('CAP_SYSLOG');
    expect(c.CapabilityAdd).not.toContain('CAP_MKNOD');
    expect(c.Mounts.some((m: { Type: string }) => m.Type === 'bind')).toBe(false);
    expect(c.Mounts.every((m: { VolumeOptions?: { Labels: Record<string, string> } }) => m.VolumeOptions?.Labels['lean-labs.class'] === 'c')).toBe(true);
    // A filter of its own (Docker's default refuses what the nested engine needs); what it refuses is there.
    expect(c.Privileges.Seccomp.Mode).toBe('custom');
    const profile = JSON.parse(Buffer.from(c.Privileges.Seccomp.Profile, 'base64').toString()) as typeof SANDBOX_SECCOMP;
    expect(profile.syscalls[0]!.names).toEqual(expect.arrayContaining(['init_module', 'kexec_load', 'open_by_handle_at', 'bpf', 'io_uring_setup', 'syslog']));
    expect(profile.syscalls[0]!.names).not.toContain('pivot_root');
    expect(c.Env).toContain(`LEAN_LABS_CELL_IDS=${300 * 65536}`);
    expect(c.Env).toContain('LEAN_LABS_CELL_REFUSE=192.0.2.2');
    expect(spec.Labels['lean-labs.cell-ids']).toBe(String(300 * 65536));
    // Nothing dials into a sandbox: no virtual IP or load balancer for it.
    expect(spec.EndpointSpec).toEqual({ Mode: 'dnsrr' });
    expect(spec.TaskTemplate.Resources).toEqual({ Limits: { MemoryBytes: 2 ** 31, Pids: 4096 }, Reservations: { MemoryBytes: 2 ** 29 } });
  });

  it('gives each cell a block of host ids no other sandbox has, the same sandbox the same place to start', () => {
    const first = freeCellIds([], 'll-c-001');
    expect(first % CELL_BLOCK).toBe(0);
    expect(first).toBeGreaterThanOrEqual(256 * CELL_BLOCK);
    expect(first + CELL_BLOCK - 1).toBeLessThan(2 ** 32 - 1);
    expect(freeCellIds([], 'll-c-001')).toBe(first);
    // Taken by another class's sandbox: the next free block.
    expect(freeCellIds([first], 'll-c-001')).toBe(first + CELL_BLOCK);
    const many: number[] = [];
    for (let i = 0; i < 300; i++) many.push(freeCellIds(many, 'll-c-001'));
    expect(new Set(many).size).toBe(300);
    expect(freeCellIds([], 'll-d-001')).not.toBe(first);
  });

  it('reads a log stream in frames, and one without frames as it is', () => {
    const frame = (stream: number, text: string) => Buffer.concat([Buffer.from([stream, 0, 0, 0]), Buffer.from([0, 0, 0, Buffer.byteLength(text)]), Buffer.from(text)]);
    expect(demux(Buffer.concat([frame(1, 'one\n'), frame(2, 'two\n')]))).toBe('one\ntwo\n');
    expect(demux(Buffer.from('plain\n'))).toBe('plain\n');
  });

  it('reads memory sizes as docker does', () => {
    expect(parseBytes('2g')).toBe(2 * 1024 ** 3);
    expect(parseBytes('1536m')).toBe(1536 * 1024 ** 2);
    expect(parseBytes('lots')).toBeUndefined();
    expect(parseBytes('0')).toBeUndefined();
  });
});

describe('class images of earlier versions', () => {
  it("go, but never the one in use now, one a class still names (with or without its digest), or another repository's", () => {
    const tags = ['lean-labs/class-sandbox:new', 'lean-labs/class-sandbox:old1', 'lean-labs/class-sandbox:old2', 'lean-labs/class-sandbox:running', 'lean-labs/sandbox:old1', 'mine/class-sandbox:x'];
    expect(staleClassImages(tags, 'lean-labs/class-sandbox:new', ['lean-labs/class-sandbox:running@sha256:abc'])).toEqual(['lean-labs/class-sandbox:old1', 'lean-labs/class-sandbox:old2']);
    expect(staleClassImages(['lean-labs/class-sandbox:new'], 'lean-labs/class-sandbox:new', [])).toEqual([]);
  });
});

describe('the Node in the class image', () => {
  const statics = { variables: { node_shared: false } } as unknown as NodeJS.ProcessConfig;
  it("is the manager's own only when it is a Linux build that carries its libraries", () => {
    expect(portableNode(process.execPath, 'linux', statics)).toBe(process.execPath);
    expect(portableNode(process.execPath, 'linux', { variables: { node_shared: true } } as unknown as NodeJS.ProcessConfig)).toBeUndefined();
    expect(portableNode(process.execPath, 'darwin', statics)).toBeUndefined();
    expect(portableNode('/nowhere/node', 'linux', statics)).toBeUndefined();
  });
  it("is tried in the image before it is kept, and put ahead of Debian's on PATH", () => {
    const with_ = classDockerfile('lean-labs/sandbox:x', true).split('\n');
    const copy = with_.findIndex((l) => l.startsWith('COPY node '));
    expect(with_[copy]).toBe(`COPY node ${CLASS_NODE}`);
    expect(with_[copy + 1]).toBe(`RUN ${CLASS_NODE} -e 0 >/dev/null 2>&1 || rm -f ${CLASS_NODE}`);
    // It comes before lean-labs, so a new lean-labs reuses the layer.
    expect(copy).toBeLessThan(with_.findIndex((l) => l.startsWith('COPY lean-labs')));
    expect(classDockerfile('lean-labs/sandbox:x', false)).not.toMatch(/COPY node/);
  });
});

describe('the class address a learner types', () => {
  it('takes a bare host and port, and refuses what is not an http address', () => {
    expect(classUrl('10.0.0.5:7420').href).toBe('http://10.0.0.5:7420/');
    expect(() => classUrl('ftp://x')).toThrow(/starts with http/);
    expect(() => classUrl('http://')).toThrow(/not an address/);
  });
});
