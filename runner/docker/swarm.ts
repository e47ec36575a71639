/**
 * Docker Swarm through the Engine API, beside the lab adapter and sharing its client: the classroom's services,
 * tasks, nodes, networks and volumes. Everything it lists or removes is chosen by label, so a class never touches
 * anything that is not its own.
 */
import type Docker from 'dockerode';
import type { DockerAdapter } from './adapter.js';
import { isNotFound, translate } from './errors.js';
import { demux } from './demux.js';
import { labelFilters } from './mapping.js';
import type { ServiceSpec, SwarmInfo, SwarmNode, SwarmPort, SwarmService, SwarmTask } from './swarm-port.js';

// biome-ignore lint/suspicious/noExplicitAny: the Engine API answers untyped JSON, read field by field
type Json = Record<string, any>;

export class SwarmAdapter implements SwarmPort {
  constructor(private readonly engine: DockerAdapter) {}

  private get docker(): Docker {
    return this.engine.docker;
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw translate(err, this.engine.endpoint, what, this.engine.resolved.source);
    }
  }

  async info(): Promise<SwarmInfo> {
    const info = (await this.call('read engine info', () => this.docker.info())) as Json;
    const s = info.Swarm ?? {};
    return {
      state: s.LocalNodeState ?? 'inactive',
      isManager: Boolean(s.ControlAvailable),
      nodeId: s.NodeID ?? '',
      nodeAddr: s.NodeAddr ?? '',
      nodes: s.Nodes ?? 0,
    };
  }

  /** `docker swarm init`; the address others join on is the engine's choice unless given. */
  async init(advertiseAddr?: string): Promise<void> {
    await this.call('start a swarm', () => this.docker.swarmInit({ ListenAddr: '0.0.0.0:2377', ...(advertiseAddr ? { AdvertiseAddr: advertiseAddr } : {}) }));
  }

  async nodes(): Promise<SwarmNode[]> {
    const nodes = (await this.call('list swarm nodes', () => this.docker.listNodes())) as Json[];
    return nodes.map((n) => ({
      id: n.ID,
      hostname: n.Description?.Hostname ?? '',
      state: n.Status?.State ?? '',
      availability: n.Spec?.Availability ?? '',
      role: n.Spec?.Role ?? '',
      memoryBytes: n.Description?.Resources?.MemoryBytes ?? 0,
      cpus: (n.Description?.Resources?.NanoCPUs ?? 0) / 1e9,
      addr: n.Status?.Addr ?? '',
    }));
  }

  async createService(spec: ServiceSpec): Promise<string> {
    const r = (await this.call(`create service ${spec.Name}`, () => this.docker.createService(spec as never))) as Json;
    return r.id ?? r.ID ?? '';
  }

  async services(labels: Readonly<Record<string, string>>): Promise<SwarmService[]> {
    const list = (await this.call('list services', () => this.docker.listServices({ filters: { label: labelFilters(labels) } }))) as Json[];
    return list.map((s) => ({ id: s.ID, name: s.Spec?.Name ?? '', labels: s.Spec?.Labels ?? {}, image: s.Spec?.TaskTemplate?.ContainerSpec?.Image ?? '' }));
  }

  async removeService(id: string): Promise<void> {
    try {
      await this.call(`remove service ${id}`, () => this.docker.getService(id).remove());
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Tasks of the services with these labels (a service's labels are not on its tasks: filter by service). */
  async tasks(serviceIds: readonly string[]): Promise<SwarmTask[]> {
    if (serviceIds.length === 0) return [];
    const list = (await this.call('list tasks', () => this.docker.listTasks({ filters: { service: [...serviceIds] } }))) as Json[];
    return list.map((t) => ({
      id: t.ID,
      serviceId: t.ServiceID,
      nodeId: t.NodeID ?? '',
      state: t.Status?.State ?? '',
      desiredState: t.DesiredState ?? '',
      message: t.Status?.Message ?? '',
      error: t.Status?.Err ?? '',
      exitCode: t.Status?.ContainerStatus?.ExitCode ?? null,
      containerId: t.Status?.ContainerStatus?.ContainerID ?? '',
      createdAt: Date.parse(t.CreatedAt ?? '') || 0,
      updatedAt: Date.parse(t.UpdatedAt ?? t.Status?.Timestamp ?? '') || 0,
    }));
  }

  async createNetwork(name: string, labels: Record<string, string>): Promise<string> {
    const r = (await this.call(`create network ${name}`, () => this.docker.createNetwork({ Name: name, Driver: 'overlay', Attachable: false, CheckDuplicate: true, Labels: labels } as never))) as {
      id: string;
    };
    return r.id;
  }

  async networks(labels: Readonly<Record<string, string>>): Promise<Array<{ id: string; name: string }>> {
    const list = (await this.call('list networks', () => this.docker.listNetworks({ filters: { label: labelFilters(labels) } }))) as Json[];
    return list.map((n) => ({ id: n.Id, name: n.Name }));
  }

  async removeNetwork(id: string): Promise<void> {
    try {
      await this.call(`remove network ${id}`, () => this.docker.getNetwork(id).remove());
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Volumes on this node with these labels (a volume lives on the node its task ran on). */
  async volumes(labels: Readonly<Record<string, string>>): Promise<string[]> {
    const r = (await this.call('list volumes', () => this.docker.listVolumes({ filters: { label: labelFilters(labels) } }))) as Json;
    return ((r.Volumes ?? []) as Json[]).map((v) => v.Name as string);
  }

  async removeVolume(name: string): Promise<void> {
    try {
      await this.call(`remove volume ${name}`, () => this.docker.getVolume(name).remove({ force: true }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** The swarm's secret for a class (its instructor token never leaves the manager otherwise). */
  async createSecret(name: string, data: string, labels: Record<string, string>): Promise<string> {
    const r = (await this.call(`create secret ${name}`, () => this.docker.createSecret({ Name: name, Data: Buffer.from(data).toString('base64'), Labels: labels } as never))) as Json;
    return r.id ?? r.ID;
  }

  async secrets(labels: Readonly<Record<string, string>>): Promise<Array<{ id: string; name: string }>> {
    const list = (await this.call('list secrets', () => this.docker.listSecrets({ filters: { label: labelFilters(labels) } }))) as Json[];
    return list.map((s) => ({ id: s.ID, name: s.Spec?.Name ?? '' }));
  }

  async removeSecret(id: string): Promise<void> {
    try {
      await this.call(`remove secret ${id}`, () => this.docker.getSecret(id).remove());
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** What another machine needs to join this swarm as a worker: the token and the manager's address (manager only). */
  async workerJoin(): Promise<{ token: string; addr: string }> {
    const swarm = (await this.call('read the swarm', () => this.docker.swarmInspect())) as Json;
    const info = (await this.call('read engine info', () => this.docker.info())) as Json;
    const managers = (info.Swarm?.RemoteManagers ?? []) as Json[];
    const self = managers.find((m) => m.NodeID === info.Swarm?.NodeID) ?? managers[0];
    return { token: swarm.JoinTokens?.Worker ?? '', addr: self?.Addr ?? `${info.Swarm?.NodeAddr ?? ''}:2377` };
  }

  /** What a service's tasks wrote (stdout and stderr together, line by line); needs a logging driver that keeps logs. */
  async serviceLogs(id: string): Promise<string[]> {
    const raw = await this.call(`read the logs of service ${id}`, async () => {
      const r = (await this.docker.getService(id).logs({ stdout: true, stderr: true, follow: false })) as unknown;
      if (Buffer.isBuffer(r) || typeof r === 'string') return Buffer.from(r);
      const chunks: Buffer[] = [];
      for await (const c of r as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(c));
      return Buffer.concat(chunks);
    });
    return demux(raw).split('\n').filter(Boolean);
  }

  /** The host's address on the bridge swarm tasks reach the outside through (docker_gwbridge, else the default bridge). */
  async bridgeGateway(): Promise<string | undefined> {
    for (const name of ['docker_gwbridge', 'bridge']) {
      try {
        const net = (await this.docker.getNetwork(name).inspect()) as Json;
        const gw = (net.IPAM?.Config ?? []).map((c: Json) => c.Gateway as string).find((g: string | undefined) => g?.includes('.'));
        if (gw) return gw;
      } catch (err) {
        if (!isNotFound(err)) throw translate(err, this.engine.endpoint, `inspect network ${name}`, this.engine.resolved.source);
      }
    }
    return undefined;
  }
}
