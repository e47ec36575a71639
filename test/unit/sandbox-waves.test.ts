/**
 * The keeper starts a class in waves: at most two sandboxes per CPU starting at once. Swarm is a scripted fake here
 * (the class tests run the real one): it only records which services were made and answers with their tasks.
 */
import { describe, expect, it, vi } from 'vitest';
import { SandboxKeeper, startingAtOnce, WAITING_TURN } from '../../classroom/server/sandbox-keeper.js';
import { ClassStore } from '../../classroom/server/store.js';
import { sandboxId } from '../../classroom/sandbox-spec.js';
import type { ServiceSpec, SwarmPort, SwarmTask } from '../../runner/docker/swarm-port.js';
import { swarmTask } from './swarm-task.js';

class FakeSwarm {
  readonly made: string[] = [];
  readonly labels = new Map<string, Record<string, string>>();
  /** Services Swarm has placed (and on which node); the others it keeps pending without a node. */
  readonly placed = new Map<string, string>();
  running = new Set<string>();
  /** The host name the node reports (a machine that has just joined may report none yet). */
  hostname = 'node1';
  constructor(private readonly cpus: number) {}
  async services() {
    return this.made.map((name) => ({ id: name, name, labels: this.labels.get(name) ?? {}, image: 'img' }));
  }
  async nodes() {
    return [{ id: 'n1', hostname: this.hostname, state: 'ready', availability: 'active', role: 'manager', memoryBytes: 1, cpus: this.cpus, addr: '' }];
  }
  async networks() {
    return [];
  }
  async secrets() {
    return [];
  }
  async createNetwork(name: string) {
    return `net-${name}`;
  }
  async createSecret(name: string) {
    return `sec-${name}`;
  }
  async createService(spec: ServiceSpec) {
    this.made.push(spec.Name);
    this.labels.set(spec.Name, spec.Labels);
    this.placed.set(spec.Name, 'n1');
    return spec.Name;
  }
  async tasks(ids: readonly string[]): Promise<SwarmTask[]> {
    return ids.map((id) => swarmTask({ id: `t-${id}`, serviceId: id, nodeId: this.placed.get(id) ?? '', state: this.running.has(id) ? 'running' : 'starting' }));
  }
}

async function classOf(n: number): Promise<ClassStore> {
  const store = await ClassStore.open();
  for (let i = 1; i <= n; i++) store.addSandbox({ id: `s${i}`, slot: i, service: sandboxId('c', i), token: `t${i}` });
  return store;
}

describe('a class started in waves', () => {
  it('lets two sandboxes per CPU start at once, four at least', () => {
    expect(startingAtOnce(1)).toBe(4);
    expect(startingAtOnce(2)).toBe(4);
    expect(startingAtOnce(16)).toBe(32);
    expect(startingAtOnce(160)).toBe(320);
  });

  it('makes the next sandboxes as the first become ready, and says the others wait their turn', async () => {
    const store = await classOf(10);
    const swarm = new FakeSwarm(2);
    const ready = new Set<string>();
    const keeper = new SandboxKeeper(
      swarm as unknown as SwarmPort,
      store,
      { className: 'c', image: 'img', labs: [], serverUrl: 'http://h:1', memoryBytes: 1, reservationBytes: 1, pids: 1, refuse: [] },
      { ready: (s) => ready.has(s), says: () => undefined },
    );
    await keeper.ensure();
    expect(swarm.made).toEqual(['ll-c-001', 'll-c-002', 'll-c-003', 'll-c-004']);
    // Made side by side, each still gets host ids of its own for its learner's cell.
    expect(new Set(swarm.made.map((n) => swarm.labels.get(n)?.['lean-labs.cell-ids'])).size).toBe(4);
    await keeper.look();
    expect(swarm.made).toHaveLength(4); // all four still starting
    expect(store.sandboxes().find((s) => s.id === 's7')).toMatchObject({ state: 'pending', message: WAITING_TURN });
    for (const i of [1, 2]) {
      swarm.running.add(sandboxId('c', i));
      ready.add(`s${i}`);
    }
    await keeper.look();
    expect(swarm.made).toEqual(['ll-c-001', 'll-c-002', 'll-c-003', 'll-c-004', 'll-c-005', 'll-c-006']);
    // A sandbox Swarm cannot place (no node after a few seconds) does not hold the others back.
    swarm.placed.delete(sandboxId('c', 3));
    await keeper.look();
    expect(swarm.made).toHaveLength(6);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 6000);
      await keeper.look();
      expect(swarm.made).toEqual(['ll-c-001', 'll-c-002', 'll-c-003', 'll-c-004', 'll-c-005', 'll-c-006', 'll-c-007']);
    } finally {
      vi.useRealTimers();
    }
  });

  it("names a sandbox's node once the node reports its host name, not its ID for good", async () => {
    const store = await classOf(1);
    const swarm = new FakeSwarm(2);
    swarm.hostname = '';
    const keeper = new SandboxKeeper(
      swarm as unknown as SwarmPort,
      store,
      { className: 'c', image: 'img', labs: [], serverUrl: 'http://h:1', memoryBytes: 1, reservationBytes: 1, pids: 1, refuse: [] },
      { ready: () => true, says: () => undefined },
    );
    await keeper.ensure();
    swarm.running.add(sandboxId('c', 1));
    await keeper.look();
    expect(store.sandboxes()[0]).toMatchObject({ state: 'ready', node: 'n1' });
    swarm.hostname = 'node3';
    await keeper.look();
    expect(store.sandboxes()[0]).toMatchObject({ state: 'ready', node: 'node3' });
  });
});
