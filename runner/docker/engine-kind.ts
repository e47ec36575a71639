import type { Endpoint } from './endpoint.js';
import type { EngineInfo } from './port.js';

/**
 * What kind of engine answers, in the words a learner knows it by, and what that means for the labs: on Docker
 * Desktop or a remote engine, the learner's own `/proc`, `nproc` and disks are not the engine's machine.
 */
export function engineKind(info: Pick<EngineInfo, 'product' | 'rootless' | 'desktop' | 'operatingSystem'>, endpoint: Pick<Endpoint, 'url'>): string {
  const remote = /^(tcp|ssh|https?):/.test(endpoint.url);
  const parts = [
    info.desktop ? 'Docker Desktop (the engine runs in its own VM)' : info.product === 'Podman' ? 'Podman' : 'Docker Engine',
    info.rootless ? 'rootless (in a user namespace)' : '',
    remote ? `reached at ${endpoint.url.replace(/^(\w+:\/\/[^/]+).*$/, '$1')}, so this machine's /proc, nproc and disks may not be the engine's` : '',
  ];
  return parts.filter(Boolean).join(', ');
}

/** The image store and cgroup version, the two settings the labs' checks read differently. */
export function engineStorage(info: Pick<EngineInfo, 'imageStore' | 'storageDriver' | 'cgroupVersion'>): string {
  const store = info.imageStore === 'containerd' ? 'the containerd image store' : 'the classic image store';
  return `${store} (storage driver ${info.storageDriver || 'unknown'}), cgroup v${info.cgroupVersion}`;
}
