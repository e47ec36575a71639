/**
 * The small interface the engine needs from Docker. Only docker/adapter.ts implements it against a real
 * engine; unit tests use a scripted fake.
 */

export interface EngineInfo {
  /** The engine's ID (Docker's is stable; Podman makes a new one on every request). */
  readonly id: string;
  /** The engine host's name. */
  readonly name: string;
  /** Which engine answers the Docker API: Docker itself, or Podman's compatible service. */
  readonly product: 'Docker' | 'Podman';
  readonly serverVersion: string;
  readonly apiVersion: string;
  readonly cgroupVersion: '1' | '2';
  readonly storageDriver: string;
  /** Where images live: the containerd image store (snapshotters) or the engine's own classic store. */
  readonly imageStore: 'containerd' | 'classic';
  /** The engine runs as an ordinary user, in a user namespace (rootless Docker, rootless Podman). */
  readonly rootless: boolean;
  /** Docker Desktop: the engine runs in a VM of its own, not on the learner's machine. */
  readonly desktop: boolean;
  readonly operatingSystem: string;
  readonly swapLimit: boolean;
  readonly cpuQuota: boolean;
  readonly cpuShares: boolean;
  readonly cpuSet: boolean;
  /** The engine's clock when it answered (ms), to relate its creation times to ours. */
  readonly systemTime: number;
}

export interface MountFacts {
  readonly type: string;
  readonly name?: string;
  readonly source: string;
  readonly destination: string;
  readonly rw: boolean;
}

export interface ContainerFacts {
  readonly id: string;
  readonly name: string;
  readonly created: number;
  readonly image: string;
  readonly imageId: string;
  readonly cmd: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  /** The user its process runs as (`--user`, else the image's USER); '' for the image's default of root. */
  readonly user: string;
  /** Whether `docker run` stayed attached to its output (false for `-d`). */
  readonly attachedOutput: boolean;
  readonly state: {
    readonly status: string;
    readonly running: boolean;
    readonly exitCode: number;
    readonly oomKilled: boolean;
    readonly startedAt: string;
    readonly finishedAt: string;
    readonly pid: number;
    /** starting, healthy or unhealthy; '' when the container has no healthcheck. */
    readonly health: string;
    /** How often the engine restarted it under its restart policy. */
    readonly restarts: number;
  };
  readonly hostConfig: {
    readonly memory: number;
    readonly memorySwap: number;
    readonly nanoCpus: number;
    readonly cpuQuota: number;
    readonly cpuPeriod: number;
    readonly cpuShares: number;
    readonly cpusetCpus: string;
    readonly networkMode: string;
    readonly pidMode: string;
    readonly ipcMode: string;
    readonly volumesFrom: readonly string[];
    readonly capAdd: readonly string[];
    readonly capDrop: readonly string[];
    readonly privileged: boolean;
    readonly readonlyRootfs: boolean;
    readonly restartPolicy: string;
    /** The retry limit of an on-failure policy (0 when none was given). */
    readonly restartRetries: number;
    readonly logDriver: string;
    /** `--device`: host path, path inside, permissions (rwm). */
    readonly devices: ReadonlyArray<{ readonly host: string; readonly container: string; readonly permissions: string }>;
    /** `-p`: by container port (`5000/tcp`), the host address ('' for every interface) and port of each binding. */
    readonly portBindings: Readonly<Record<string, ReadonlyArray<{ readonly hostIp: string; readonly hostPort: string }>>>;
    /** `--pids-limit` (0 or -1: none). */
    readonly pidsLimit: number;
    /** `--ulimit`: name with soft and hard limits. */
    readonly ulimits: ReadonlyArray<{ readonly name: string; readonly soft: number; readonly hard: number }>;
    /** `--security-opt`, as the engine keeps them (`no-new-privileges`, `seccomp=unconfined`, …). */
    readonly securityOpt: readonly string[];
    /** `--init`: a tiny init runs as PID 1 and reaps zombies. */
    readonly init: boolean;
  };
  readonly mounts: readonly MountFacts[];
  /** The networks it is attached to, by name: its extra names (aliases) and address there. */
  readonly networks: Readonly<Record<string, { readonly aliases: readonly string[]; readonly ip: string }>>;
}

export interface ContainerSummary {
  readonly id: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: string;
  readonly created: number;
}

export interface ImageFacts {
  readonly id: string;
  readonly tags: readonly string[];
  readonly size: number;
  readonly layers: number;
  /** Layer digests, bottom first (empty in list results). */
  readonly layerIds: readonly string[];
  readonly created: number;
  /** When its build made it (the image's own creation time, which re-tagging leaves alone; absent in list results). */
  readonly built?: number;
  readonly labels: Readonly<Record<string, string>>;
  /** How a container of it starts (absent in list results). */
  readonly config?: {
    readonly entrypoint: readonly string[];
    readonly cmd: readonly string[];
    readonly user: string;
    readonly exposedPorts: readonly string[];
    readonly healthcheck: boolean;
  };
}

export interface NamedResourceFacts {
  readonly name: string;
  readonly id: string;
  readonly created: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly driver: string;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface HelperRun {
  readonly image: string;
  readonly cmd: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  /** `container:<id>`, a network name, `none`, … */
  readonly networkMode?: string;
  readonly timeoutMs?: number;
}

export interface EngineEvent {
  readonly type: string;
  readonly action: string;
  readonly id: string;
  readonly name: string;
  readonly time: number;
  /** The actor's attributes: a container's labels, the container a network event is about, … */
  readonly attributes: Readonly<Record<string, string>>;
}

/** A past engine event, with the attributes checks look at (e.g. the signal of a kill). */
export interface PastEvent {
  readonly type: string;
  /** The actor: a container's id, a volume's name, … */
  readonly id?: string;
  readonly action: string;
  readonly name: string;
  readonly time: number;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The kinds of event whose whole history checks and ownership read. */
export type HistoryType = 'container' | 'volume' | 'image';

export type LabelFilter = Readonly<Record<string, string>>;

export interface DockerPort {
  readonly endpoint: string;
  ping(): Promise<void>;
  info(): Promise<EngineInfo>;
  inspectContainer(nameOrId: string): Promise<ContainerFacts | null>;
  listContainers(labels: LabelFilter): Promise<ContainerSummary[]>;
  exec(container: string, cmd: readonly string[], timeoutMs?: number): Promise<ExecResult>;
  /** Reads a file from a container's filesystem (running or not); null when it does not exist. */
  readFile(container: string, path: string): Promise<string | null>;
  logs(container: string): Promise<string>;
  /** `docker diff`: what changed in the container's writable layer; null when there is no such container. */
  containerChanges(container: string): Promise<Array<{ kind: 'A' | 'C' | 'D'; path: string }> | null>;
  /** Bytes in the container's writable layer (SizeRw); null when there is no such container. */
  writableSize(container: string): Promise<number | null>;
  /** Namespace links (`net:[4026532184]`) of a running container (as just inspected), by kind. */
  readNamespaces(container: ContainerFacts, kinds: readonly string[]): Promise<Record<string, string>>;
  runHelper(run: HelperRun): Promise<ExecResult>;
  inspectImage(name: string): Promise<ImageFacts | null>;
  /** What built each layer of an image (`docker history`'s CREATED BY), bottom first; null when there is no image. */
  imageHistory(name: string): Promise<string[] | null>;
  inspectVolume(name: string): Promise<NamedResourceFacts | null>;
  inspectNetwork(name: string): Promise<NamedResourceFacts | null>;
  listVolumes(labels: LabelFilter): Promise<NamedResourceFacts[]>;
  listNetworks(labels: LabelFilter): Promise<NamedResourceFacts[]>;
  listImages(labels: LabelFilter): Promise<ImageFacts[]>;
  removeContainer(id: string): Promise<void>;
  removeVolume(name: string): Promise<void>;
  removeNetwork(id: string): Promise<void>;
  removeImage(name: string): Promise<void>;
  tagImage(source: string, target: string): Promise<void>;
  /** Container events since a time, of one container (by name) or of every container carrying the labels. */
  pastEvents(of: string | LabelFilter, sinceMs: number): Promise<PastEvent[]>;
  /** Every event of one type (container creates, volume mounts, image pulls, …) since a time. */
  history(type: HistoryType, sinceMs: number): Promise<PastEvent[]>;
  /** Streams engine events until the returned function is called. */
  watchEvents(onEvent: (event: EngineEvent) => void, onEnd: (err?: Error) => void): Promise<() => void>;
}

/** One line of build progress, already understood. */
export type BuildProgress =
  | { readonly kind: 'step'; readonly step: number; readonly total: number; readonly text: string }
  | { readonly kind: 'cached' }
  | { readonly kind: 'output'; readonly text: string };

/** Image building, kept apart from what checks need. */
export interface ImagePort {
  buildImage(
    contextDir: string,
    files: readonly string[],
    tag: string,
    labels: Readonly<Record<string, string>>,
    onProgress: (p: BuildProgress) => void,
    opts?: { readonly noCache?: boolean; readonly buildArgs?: Readonly<Record<string, string>> },
  ): Promise<void>;
  importImage(tar: NodeJS.ReadableStream, tag: string, changes: readonly string[]): Promise<void>;
  /** Tries to pull; resolves false (never throws) when no registry answers within the time. */
  tryPull(name: string, timeoutMs: number): Promise<boolean>;
}
