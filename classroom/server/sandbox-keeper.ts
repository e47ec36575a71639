/**
 * The class server's hands on Swarm: it makes each sandbox the class database lists (network, secret, service,
 * all labelled with the class) when Swarm does not have it yet, and watches the tasks, so the store says where
 * each sandbox runs, whether it is starting, restarting or failed, and why. Swarm restarts a dead task by itself;
 * the keeper only reports it. It reads and changes only what carries the class's label.
 */
import type { SwarmPort, SwarmTask } from '../../runner/docker/swarm-port.js';
import { CELL_IDS_LABEL, classLabels, freeCellIds, sandboxLabels, sandboxService, type SandboxPlan } from '../sandbox-spec.js';
import type { ClassStore, SandboxRow, SandboxState } from './store.js';

/** What every sandbox of the class shares: its plan less the slot and the per-sandbox network and secret. */
export type KeeperSettings = Omit<SandboxPlan, 'slot' | 'cellIds' | 'networkId' | 'secretId' | 'secretName'>;

const STARTING = new Set(['new', 'pending', 'assigned', 'accepted', 'ready', 'preparing', 'starting']);

/** Whether Swarm's words for a task say its node does not have the image. */
export const lacksImage = (text: string): boolean => /no such image/i.test(text);

/** Swarm's words for a task that could not start, with what to do where there is something to do. */
export function explainTaskError(text: string): string {
  if (lacksImage(text)) return 'its node lacks the class image (`npx lean-labs class add-machine` says what to run on that machine)';
  return text;
}

/** What a sandbox's tasks say about it (pure): the newest task Swarm wants running decides. */
export function taskState(tasks: readonly SwarmTask[], agentReady: boolean, agentSays?: string): { state: SandboxState; nodeId: string; message: string; restarts: number } {
  const sorted = [...tasks].sort((a, b) => b.createdAt - a.createdAt);
  const current = sorted.find((t) => t.desiredState === 'running') ?? sorted[0];
  const ended = sorted.filter((t) => t !== current && ['failed', 'complete', 'shutdown', 'rejected', 'orphaned'].includes(t.state));
  const restarts = ended.filter((t) => t.state !== 'shutdown' || t.exitCode !== null).length;
  if (!current) return { state: 'pending', nodeId: '', message: 'waiting for Swarm to place it', restarts: 0 };
  const lastEnd = ended[0];
  const why = lastEnd ? explainTaskError(lastEnd.error || lastEnd.message || `exit ${lastEnd.exitCode}`) : '';
  if (current.state === 'running')
    return agentReady
      ? { state: 'ready', nodeId: current.nodeId, message: agentSays ?? '', restarts }
      : {
          state: restarts ? 'restarting' : 'pending',
          nodeId: current.nodeId,
          message: restarts ? `restarted (${why}); ${agentSays || 'its engine is starting'}` : agentSays || 'its engine is starting',
          restarts,
        };
  if (STARTING.has(current.state)) {
    const now = explainTaskError(current.error || current.message || current.state);
    return { state: restarts ? 'restarting' : 'pending', nodeId: current.nodeId, message: lastEnd && lacksImage(lastEnd.error || lastEnd.message) && !current.error ? why : now, restarts };
  }
  return { state: 'failed', nodeId: current.nodeId, message: explainTaskError(current.error || current.message || current.state), restarts };
}

/** What a sandbox not made yet says: it waits for the sandboxes starting before it. */
export const WAITING_TURN = 'waiting for its turn to start (a few start at a time)';

/** How many sandboxes may be starting at once on a swarm with this many CPUs (pure). */
export function startingAtOnce(cpus: number): number {
  return Math.max(4, Math.ceil(2 * cpus));
}

export class SandboxKeeper {
  private timer: NodeJS.Timeout | undefined;
  private nodeNames = new Map<string, string>();
  private watching = false;
  private filling = false;
  /** When this process made each service (a new one counts as starting before Swarm names its node). */
  private readonly createdAt = new Map<string, number>();
  /** Services that could not be made: shown as failed, not tried again until the server restarts. */
  private readonly gaveUp = new Set<string>();

  constructor(
    private readonly swarm: SwarmPort,
    private readonly store: ClassStore,
    private readonly settings: KeeperSettings,
    private readonly agent: { ready(sandbox: string): boolean; says(sandbox: string): string | undefined },
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /**
   * Makes the sandboxes the store lists and Swarm lacks (`known`: the services Swarm has, when just read), in waves: at most two per CPU of the swarm's nodes are
   * starting at any time (a sandbox Swarm cannot place does not count). A whole class started at once only makes
   * every engine wait for CPU; in waves, the first learners have an engine sooner and the last no later.
   */
  async ensure(known?: ReadonlySet<string>): Promise<void> {
    if (this.filling) return;
    this.filling = true;
    try {
      const have = known ?? new Set((await this.swarm.services(classLabels(this.settings.className))).map((s) => s.name));
      const rows = this.store.sandboxes();
      const missing = rows.filter((s) => !have.has(s.service) && !this.gaveUp.has(s.service));
      if (!missing.length) return;
      const now = Date.now();
      const starting = rows.filter((s) => have.has(s.service) && (s.state === 'pending' || s.state === 'restarting') && (s.node !== '' || now - (this.createdAt.get(s.service) ?? 0) < 5000)).length;
      const cpus = (await this.swarm.nodes()).filter((n) => n.state === 'ready' && n.availability === 'active').reduce((sum, n) => sum + n.cpus, 0);
      const queue = missing.slice(0, Math.max(0, startingAtOnce(cpus) - starting));
      await Promise.all(
        Array.from({ length: Math.min(4, queue.length) }, async () => {
          for (let s = queue.shift(); s; s = queue.shift()) {
            try {
              await this.create(s);
              this.createdAt.set(s.service, Date.now());
            } catch (err) {
              this.gaveUp.add(s.service);
              this.store.updateSandbox(s.id, { state: 'failed', message: (err as Error).message.split('\n')[0]!.slice(0, 300) });
              this.log(`could not create ${s.service}: ${(err as Error).message}`);
            }
          }
        }),
      );
    } finally {
      this.filling = false;
    }
  }

  private async create(s: SandboxRow): Promise<void> {
    const labels = sandboxLabels(this.settings.className, s.id);
    const networks = await this.swarm.networks(labels);
    const networkId = networks[0]?.id ?? (await this.swarm.createNetwork(s.id, labels));
    const secrets = await this.swarm.secrets(labels);
    const secretName = `${s.id}-token`;
    const secretId = secrets[0]?.id ?? (await this.swarm.createSecret(secretName, s.token, labels));
    const cellIds = await this.claimCellIds(s.service);
    try {
      // The swarm's nodes as they are now (a machine added later is known to the sandboxes made after it).
      const refuse = [...this.settings.refuse, ...(await this.swarm.nodes()).map((n) => n.addr)];
      await this.swarm.createService(sandboxService({ ...this.settings, refuse, slot: s.slot, cellIds, networkId, secretId, secretName: secrets[0]?.name ?? secretName }));
    } finally {
      this.claimedIds.delete(cellIds);
    }
    this.log(`created ${s.service}`);
  }

  /** Host ids claimed for services being made now (Swarm lists them once they exist). */
  private readonly claimedIds = new Set<number>();
  private claiming: Promise<unknown> = Promise.resolve();

  /** A block of host ids no sandbox on the swarm uses (any class's): one claim at a time. */
  private claimCellIds(service: string): Promise<number> {
    const claim = this.claiming.then(async () => {
      const used = (await this.swarm.services({ [CELL_IDS_LABEL]: '' })).map((x) => Number(x.labels[CELL_IDS_LABEL]));
      const ids = freeCellIds([...used, ...this.claimedIds], service);
      this.claimedIds.add(ids);
      return ids;
    });
    this.claiming = claim.catch(() => undefined);
    return claim;
  }

  /** Reads the tasks now and then; the first look happens at once. `poke` asks for a look now. */
  watch(everyMs = 2000): void {
    this.timer = setInterval(() => void this.poke(), everyMs);
    this.timer.unref();
    void this.poke();
  }

  private again = false;

  async poke(): Promise<void> {
    if (this.watching) {
      this.again = true;
      return;
    }
    this.watching = true;
    try {
      do {
        this.again = false;
        await this.look();
      } while (this.again);
    } catch (err) {
      this.log(`could not read the sandboxes' tasks: ${(err as Error).message}`);
    } finally {
      this.watching = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async look(): Promise<void> {
    const services = await this.swarm.services(classLabels(this.settings.className));
    const byName = new Map(services.map((s) => [s.name, s.id]));
    const tasks = await this.swarm.tasks(services.map((s) => s.id));
    // Read again for a node not seen yet, or seen without its name: a machine that has just joined may not have
    // reported its host name (kept empty, its sandboxes would show no node for the rest of the class).
    if (tasks.some((t) => t.nodeId && !this.nodeNames.get(t.nodeId))) this.nodeNames = new Map((await this.swarm.nodes()).map((n) => [n.id, n.hostname]));
    for (const s of this.store.sandboxes()) {
      const serviceId = byName.get(s.service);
      if (!serviceId) {
        if (s.state !== 'failed') this.store.updateSandbox(s.id, { state: 'pending', message: WAITING_TURN });
        continue;
      }
      const t = taskState(
        tasks.filter((x) => x.serviceId === serviceId),
        this.agent.ready(s.id),
        this.agent.says(s.id),
      );
      this.store.updateSandbox(s.id, { state: t.state, node: this.nodeNames.get(t.nodeId) || t.nodeId, message: t.message, restarts: Math.max(s.restarts, t.restarts) });
    }
    // The next wave, when the last has made room.
    if (this.store.sandboxes().some((s) => !byName.has(s.service) && !this.gaveUp.has(s.service))) await this.ensure(new Set(byName.keys()));
  }
}
