import type { ContainerFacts, ContainerSummary, DockerPort, EngineInfo, ExecResult, HelperRun, ImageFacts, LabelFilter, NamedResourceFacts } from '../../runner/docker/port.js';

type Partialish<T> = { [K in keyof T]?: T[K] extends object ? Partialish<T[K]> : T[K] };

/** Builds full container facts from the few fields a test cares about. */
export function containerFacts(name: string, over: Partialish<ContainerFacts> = {}): ContainerFacts {
  const base: ContainerFacts = {
    id: `${name}-id-0123456789abcdef`,
    name,
    created: Date.now(),
    image: 'lean-labs/toolbox',
    imageId: 'sha256:abc',
    cmd: ['sleep', 'infinity'],
    labels: {},
    user: '',
    attachedOutput: false,
    state: { status: 'running', running: true, exitCode: 0, oomKilled: false, startedAt: '', finishedAt: '', pid: 100, health: '', restarts: 0 },
    hostConfig: {
      memory: 0,
      memorySwap: 0,
      nanoCpus: 0,
      cpuQuota: 0,
      cpuPeriod: 0,
      cpuShares: 0,
      cpusetCpus: '',
      networkMode: 'default',
      pidMode: '',
      ipcMode: 'private',
      volumesFrom: [],
      capAdd: [],
      capDrop: [],
      privileged: false,
      readonlyRootfs: false,
      restartPolicy: 'no',
      restartRetries: 0,
      logDriver: 'json-file',
      devices: [],
      portBindings: {},
      pidsLimit: 0,
      ulimits: [],
      securityOpt: [],
      init: false,
    },
    mounts: [],
    networks: { bridge: { aliases: [], ip: '172.17.0.2' } },
  };
  return {
    ...base,
    ...over,
    state: { ...base.state, ...over.state },
    hostConfig: { ...base.hostConfig, ...over.hostConfig },
    labels: (over.labels as Record<string, string>) ?? base.labels,
    cmd: (over.cmd as string[]) ?? base.cmd,
    mounts: (over.mounts as ContainerFacts['mounts']) ?? base.mounts,
    networks: (over.networks as ContainerFacts['networks']) ?? base.networks,
  } as ContainerFacts;
}

/**
 * A scripted engine: tests put containers, images, volumes and exec answers in, and read which helper runs
 * and removals happened. Only for unit tests of pure logic; integration tests use the real engine.
 */
export class FakeDocker implements DockerPort {
  readonly endpoint = 'fake://engine';
  containers = new Map<string, ContainerFacts>();
  images = new Map<string, ImageFacts>();
  volumes = new Map<string, NamedResourceFacts>();
  networks = new Map<string, NamedResourceFacts>();
  files = new Map<string, string>();
  logsOf = new Map<string, string>();
  execAnswers: Array<{ container: string; match: RegExp; result: ExecResult }> = [];
  helperAnswers: ExecResult[] = [];
  helperRuns: HelperRun[] = [];
  removed: string[] = [];
  cgroupVersion: '1' | '2' = '2';
  swapLimit = true;

  add(c: ContainerFacts): this {
    this.containers.set(c.name, c);
    return this;
  }

  answer(container: string, match: RegExp, result: Partial<ExecResult>): this {
    this.execAnswers.push({ container, match, result: { exitCode: 0, stdout: '', stderr: '', ...result } });
    return this;
  }

  private find(nameOrId: string): ContainerFacts | undefined {
    return this.containers.get(nameOrId) ?? [...this.containers.values()].find((c) => c.id === nameOrId || c.id.startsWith(nameOrId));
  }

  /** Set to make every call fail as a dead engine does. */
  down = false;
  private watchers: Array<{ onEvent: (e: import('../../runner/docker/port.js').EngineEvent) => void; onEnd: (err?: Error) => void }> = [];
  async ping(): Promise<void> {
    if (this.down) throw new (await import('../../runner/docker/errors.js')).EngineUnreachableError(this.endpoint, 'ECONNREFUSED');
  }
  /** Delivers an engine event to whoever watches, as the real event stream would. */
  emitEvent(e: Partial<import('../../runner/docker/port.js').EngineEvent> & { type: string; action: string }): void {
    for (const w of this.watchers) w.onEvent({ id: '', name: '', time: Date.now(), attributes: {}, ...e });
  }
  /** The engine dies: event streams end with an error and calls fail until `down` is cleared. */
  kill(): void {
    this.down = true;
    const ws = this.watchers;
    this.watchers = [];
    for (const w of ws) w.onEnd(new Error('connection reset'));
  }
  async info(): Promise<EngineInfo> {
    return {
      id: 'FAKE',
      name: 'fake-host',
      product: 'Docker',
      serverVersion: '26.1.5',
      apiVersion: '1.45',
      cgroupVersion: this.cgroupVersion,
      storageDriver: 'overlay2',
      imageStore: 'classic',
      rootless: false,
      desktop: false,
      operatingSystem: 'fake',
      swapLimit: this.swapLimit,
      cpuQuota: true,
      cpuShares: true,
      cpuSet: true,
      systemTime: Date.now(),
    };
  }
  async inspectContainer(nameOrId: string) {
    await this.ping();
    return this.find(nameOrId) ?? null;
  }
  async listContainers(labels: LabelFilter): Promise<ContainerSummary[]> {
    return [...this.containers.values()]
      .filter((c) => Object.entries(labels).every(([k, v]) => (v === '' ? k in c.labels : c.labels[k] === v)))
      .map((c) => ({ id: c.id, name: c.name, labels: c.labels, state: c.state.status, created: c.created }));
  }
  async exec(container: string, cmd: readonly string[]): Promise<ExecResult> {
    const line = cmd.join(' ');
    const hit = this.execAnswers.find((a) => a.container === container && a.match.test(line));
    if (!hit) throw new Error(`fake: no scripted answer for \`${line}\` in ${container}`);
    return hit.result;
  }
  changesOf = new Map<string, Array<{ kind: 'A' | 'C' | 'D'; path: string }>>();
  sizesOf = new Map<string, number>();
  async containerChanges(container: string) {
    return this.find(container) ? (this.changesOf.get(container) ?? []) : null;
  }
  async writableSize(container: string) {
    return this.find(container) ? (this.sizesOf.get(container) ?? 0) : null;
  }
  namespacesOf = new Map<string, Record<string, string>>();
  async readNamespaces(container: ContainerFacts, kinds: readonly string[]) {
    const ns = this.namespacesOf.get(container.name);
    if (!ns) throw new Error(`fake: no namespaces scripted for ${container.name}`);
    return Object.fromEntries(kinds.map((k) => [k, ns[k] ?? '']));
  }
  async readFile(container: string, path: string) {
    return this.files.get(`${container}:${path}`) ?? null;
  }
  async logs(container: string) {
    return this.logsOf.get(container) ?? '';
  }
  async runHelper(run: HelperRun): Promise<ExecResult> {
    this.helperRuns.push(run);
    return this.helperAnswers.shift() ?? { exitCode: 1, stdout: '', stderr: 'wget: bad address' };
  }
  async inspectImage(name: string) {
    return this.images.get(name) ?? null;
  }
  histories = new Map<string, string[]>();
  async imageHistory(name: string) {
    return this.images.has(name) ? (this.histories.get(name) ?? []) : null;
  }
  async inspectVolume(name: string) {
    return this.volumes.get(name) ?? null;
  }
  async inspectNetwork(name: string) {
    return this.networks.get(name) ?? null;
  }
  async listVolumes(labels: LabelFilter) {
    return [...this.volumes.values()].filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  }
  async listNetworks(labels: LabelFilter) {
    return [...this.networks.values()].filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  }
  async listImages() {
    return [...this.images.values()];
  }
  async removeContainer(id: string) {
    const c = this.find(id);
    if (c) this.containers.delete(c.name);
    this.removed.push(`container:${c?.name ?? id}`);
  }
  async removeVolume(name: string) {
    this.volumes.delete(name);
    this.removed.push(`volume:${name}`);
  }
  async removeNetwork(id: string) {
    const n = [...this.networks.values()].find((x) => x.id === id);
    if (n) this.networks.delete(n.name);
    this.removed.push(`network:${n?.name ?? id}`);
  }
  async removeImage(name: string) {
    this.images.delete(name);
    this.removed.push(`image:${name}`);
  }
  async tagImage() {}
  pastEventsOf = new Map<string, import('../../runner/docker/port.js').PastEvent[]>();
  async pastEvents(of: string | LabelFilter, sinceMs: number) {
    const all = typeof of === 'string' ? (this.pastEventsOf.get(of) ?? []) : [...this.pastEventsOf.values()].flat().filter((e) => Object.entries(of).every(([k, v]) => e.attributes[k] === v));
    return all.filter((e) => e.time >= sinceMs);
  }
  /** Engine history by type (container creates, volume mounts), as ownership reads it. */
  historyOf: import('../../runner/docker/port.js').PastEvent[] = [];
  /** Events that happen now: kept in the engine's history and streamed to whoever watches, as an engine does. */
  occur(...events: Array<import('../../runner/docker/port.js').PastEvent>): void {
    this.historyOf.push(...events);
    for (const e of events) this.emitEvent({ ...e, id: e.id ?? '' });
  }
  async history(type: string, sinceMs: number) {
    return this.historyOf.filter((e) => e.type === type && e.time >= sinceMs);
  }
  async watchEvents(onEvent: (e: import('../../runner/docker/port.js').EngineEvent) => void, onEnd: (err?: Error) => void) {
    await this.ping();
    const w = { onEvent, onEnd };
    this.watchers.push(w);
    return () => {
      this.watchers = this.watchers.filter((x) => x !== w);
    };
  }
}
