/**
 * Docker Swarm as the classroom uses it: its services, tasks, nodes, networks, secrets and volumes, each chosen by
 * label. The adapter (swarm.ts) speaks to the engine; the class's keeper and commands see this port.
 */

// biome-ignore lint/suspicious/noExplicitAny: a service's task template is the Engine API's own JSON
type Json = Record<string, any>;

export interface SwarmInfo {
  /** inactive, pending, active, error, locked. */
  readonly state: string;
  readonly isManager: boolean;
  readonly nodeId: string;
  readonly nodeAddr: string;
  readonly nodes: number;
}

export interface SwarmNode {
  readonly id: string;
  readonly hostname: string;
  readonly state: string;
  readonly availability: string;
  readonly role: string;
  readonly memoryBytes: number;
  readonly cpus: number;
  readonly addr: string;
}

export interface SwarmService {
  readonly id: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly image: string;
}

export interface SwarmTask {
  readonly id: string;
  readonly serviceId: string;
  readonly nodeId: string;
  /** new, pending, assigned, preparing, starting, running, complete, failed, shutdown, rejected, orphaned. */
  readonly state: string;
  readonly desiredState: string;
  readonly message: string;
  readonly error: string;
  readonly exitCode: number | null;
  readonly containerId: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ServiceSpec {
  readonly Name: string;
  readonly Labels: Record<string, string>;
  readonly TaskTemplate: Json;
  readonly Mode?: Json;
  readonly Networks?: Json[];
  readonly EndpointSpec?: Json;
}

/** What the classroom asks of Swarm. */
export interface SwarmPort {
  info(): Promise<SwarmInfo>;
  init(advertiseAddr?: string): Promise<void>;
  nodes(): Promise<SwarmNode[]>;
  createService(spec: ServiceSpec): Promise<string>;
  services(labels: Readonly<Record<string, string>>): Promise<SwarmService[]>;
  removeService(id: string): Promise<void>;
  tasks(serviceIds: readonly string[]): Promise<SwarmTask[]>;
  createNetwork(name: string, labels: Record<string, string>): Promise<string>;
  networks(labels: Readonly<Record<string, string>>): Promise<Array<{ id: string; name: string }>>;
  removeNetwork(id: string): Promise<void>;
  volumes(labels: Readonly<Record<string, string>>): Promise<string[]>;
  removeVolume(name: string): Promise<void>;
  createSecret(name: string, data: string, labels: Record<string, string>): Promise<string>;
  secrets(labels: Readonly<Record<string, string>>): Promise<Array<{ id: string; name: string }>>;
  removeSecret(id: string): Promise<void>;
  /** The token and manager address another machine joins the swarm with. */
  workerJoin(): Promise<{ token: string; addr: string }>;
  serviceLogs(id: string): Promise<string[]>;
  bridgeGateway(): Promise<string | undefined>;
}
