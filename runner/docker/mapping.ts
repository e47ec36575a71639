/**
 * The engine's JSON answers as lean-labs's facts (port.ts): pure, and tested on answers recorded from real engines
 * (test/unit/fixtures/engine/). The adapter asks; this reads.
 */
import type { ContainerFacts, ContainerSummary, EngineEvent, EngineInfo, ImageFacts, LabelFilter, NamedResourceFacts } from './port.js';

// biome-ignore lint/suspicious/noExplicitAny: the Engine API answers untyped JSON, read field by field
export type Json = Record<string, any>;

export const labelFilters = (labels: LabelFilter): string[] => Object.entries(labels).map(([k, v]) => (v === '' ? k : `${k}=${v}`));

const toMs = (iso: string | undefined): number => (iso ? Date.parse(iso) : 0);

export function containerFacts(c: Json): ContainerFacts {
  const hc = c.HostConfig ?? {};
  const st = c.State ?? {};
  return {
    id: c.Id,
    name: String(c.Name ?? '').replace(/^\//, ''),
    created: toMs(c.Created),
    image: c.Config?.Image ?? '',
    imageId: c.Image ?? '',
    cmd: [...(c.Config?.Entrypoint ?? []), ...(c.Config?.Cmd ?? [])],
    labels: c.Config?.Labels ?? {},
    user: c.Config?.User ?? '',
    attachedOutput: Boolean(c.Config?.AttachStdout || c.Config?.AttachStderr),
    state: {
      status: st.Status ?? 'unknown',
      running: Boolean(st.Running),
      exitCode: st.ExitCode ?? 0,
      oomKilled: Boolean(st.OOMKilled),
      startedAt: st.StartedAt ?? '',
      finishedAt: st.FinishedAt ?? '',
      pid: st.Pid ?? 0,
      health: st.Health?.Status ?? '',
      restarts: c.RestartCount ?? 0,
    },
    hostConfig: {
      memory: hc.Memory ?? 0,
      memorySwap: hc.MemorySwap ?? 0,
      nanoCpus: hc.NanoCpus ?? 0,
      cpuQuota: hc.CpuQuota ?? 0,
      cpuPeriod: hc.CpuPeriod ?? 0,
      cpuShares: hc.CpuShares ?? 0,
      cpusetCpus: hc.CpusetCpus ?? '',
      networkMode: hc.NetworkMode ?? '',
      pidMode: hc.PidMode ?? '',
      ipcMode: hc.IpcMode ?? '',
      volumesFrom: hc.VolumesFrom ?? [],
      capAdd: hc.CapAdd ?? [],
      capDrop: hc.CapDrop ?? [],
      privileged: Boolean(hc.Privileged),
      readonlyRootfs: Boolean(hc.ReadonlyRootfs),
      restartPolicy: hc.RestartPolicy?.Name ?? '',
      restartRetries: hc.RestartPolicy?.MaximumRetryCount ?? 0,
      logDriver: hc.LogConfig?.Type ?? '',
      devices: (hc.Devices ?? []).map((d: Json) => ({ host: d.PathOnHost ?? '', container: d.PathInContainer ?? '', permissions: d.CgroupPermissions ?? '' })),
      portBindings: Object.fromEntries(
        Object.entries((hc.PortBindings ?? {}) as Record<string, Json[] | null>).map(([port, bs]) => [port, (bs ?? []).map((b) => ({ hostIp: b.HostIp ?? '', hostPort: b.HostPort ?? '' }))]),
      ),
      pidsLimit: hc.PidsLimit ?? 0,
      ulimits: (hc.Ulimits ?? []).map((u: Json) => ({ name: u.Name ?? '', soft: u.Soft ?? 0, hard: u.Hard ?? 0 })),
      securityOpt: hc.SecurityOpt ?? [],
      init: Boolean(hc.Init),
    },
    mounts: (c.Mounts ?? []).map((m: Json) => ({
      type: m.Type,
      name: m.Name,
      source: m.Source ?? '',
      destination: m.Destination,
      rw: Boolean(m.RW),
    })),
    networks: Object.fromEntries(
      Object.entries((c.NetworkSettings?.Networks ?? {}) as Record<string, Json>).map(([name, n]) => [
        name,
        // Aliases holds what --network-alias gave; DNSNames (API 1.44+) also the name and short id.
        { aliases: [...new Set<string>([...(n.Aliases ?? []), ...(n.DNSNames ?? [])])], ip: n.IPAddress ?? '' },
      ]),
    ),
  };
}

export function imageFacts(i: Json): ImageFacts {
  const built = typeof i.Created === 'number' ? i.Created * 1000 : toMs(i.Created);
  return {
    id: i.Id,
    tags: i.RepoTags ?? [],
    size: i.Size ?? 0,
    layers: i.RootFS?.Layers?.length ?? 0,
    layerIds: i.RootFS?.Layers ?? [],
    // When a tag last moved counts as its creation: a cached build re-tags an old image.
    created: Math.max(built, toMs(i.Metadata?.LastTagTime)),
    built,
    labels: i.Config?.Labels ?? i.Labels ?? {},
    config: {
      entrypoint: i.Config?.Entrypoint ?? [],
      cmd: i.Config?.Cmd ?? [],
      user: i.Config?.User ?? '',
      exposedPorts: Object.keys(i.Config?.ExposedPorts ?? {}),
      // A healthcheck of NONE (disabled) is no healthcheck.
      healthcheck: Boolean(i.Config?.Healthcheck?.Test?.length) && i.Config.Healthcheck.Test[0] !== 'NONE',
    },
  };
}

/** What `docker info` and `docker version` say, as lean-labs reads them: the product, the store, cgroups, limits. */
export function engineInfo(info: Json, version: Json): EngineInfo {
  const components = (version.Components ?? []) as Array<{ Name?: string }>;
  return {
    id: info.ID ?? '',
    name: info.Name ?? '',
    product: components.some((c) => /podman/i.test(c.Name ?? '')) ? 'Podman' : 'Docker',
    serverVersion: version.Version ?? info.ServerVersion ?? '',
    apiVersion: version.ApiVersion ?? '',
    cgroupVersion: info.CgroupVersion === '2' ? '2' : '1',
    storageDriver: info.Driver ?? '',
    // The containerd image store reports its snapshotter as the driver's type.
    imageStore: ((info.DriverStatus ?? []) as string[][]).some((pair) => String(pair[1] ?? '').startsWith('io.containerd.snapshotter')) ? 'containerd' : 'classic',
    rootless: ((info.SecurityOptions ?? []) as string[]).some((o) => o.split(',').includes('name=rootless')),
    desktop: info.OperatingSystem === 'Docker Desktop',
    operatingSystem: info.OperatingSystem ?? '',
    swapLimit: Boolean(info.SwapLimit),
    cpuQuota: Boolean(info.CpuCfsQuota),
    cpuShares: Boolean(info.CPUShares),
    cpuSet: Boolean(info.CPUSet),
    systemTime: info.SystemTime ? Date.parse(info.SystemTime) : Date.now(),
  };
}

/** A container as the list answers it. */
export const containerSummary = (c: Json): ContainerSummary => ({
  id: c.Id,
  name: String(c.Names?.[0] ?? '').replace(/^\//, ''),
  labels: c.Labels ?? {},
  state: c.State ?? '',
  created: (c.Created ?? 0) * 1000,
});

/** A volume, inspected or listed. */
export const volumeFacts = (v: Json): NamedResourceFacts => ({ name: v.Name, id: v.Name, created: toMs(v.CreatedAt), labels: v.Labels ?? {}, driver: v.Driver });

/** A network, inspected or listed. */
export const networkFacts = (n: Json): NamedResourceFacts => ({ name: n.Name, id: n.Id, created: toMs(n.Created), labels: n.Labels ?? {}, driver: n.Driver });

/** An image as the list answers it: no layers' digests, no configuration. */
export const imageSummary = (i: Json): ImageFacts => ({
  id: i.Id,
  tags: i.RepoTags ?? [],
  size: i.Size ?? 0,
  layers: i.Layers ?? 0,
  layerIds: [],
  created: (i.Created ?? 0) * 1000,
  labels: i.Labels ?? {},
});

/** One engine event as the engine's JSON gives it (the same mapping for the history and the live stream). */
export function engineEvent(e: Json): EngineEvent {
  return {
    type: e.Type ?? '',
    id: e.Actor?.ID ?? e.id ?? '',
    // Kept whole: some actions carry a detail (`health_status: healthy`, `exec_start: sh -c …`).
    action: String(e.Action ?? ''),
    name: e.Actor?.Attributes?.name ?? '',
    time: e.timeNano ? Math.floor(e.timeNano / 1e6) : (e.time ?? 0) * 1000,
    attributes: e.Actor?.Attributes ?? {},
  };
}
