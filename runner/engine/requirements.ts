import type { EngineInfo } from '../docker/port.js';
import type { Lab } from '../lab/types.js';
import { mustRun } from '../host/run.js';

/** Host features a lab may need; a lab that needs one the host lacks says so before it starts. */
export const REQUIREMENTS = {
  'swap-limit': {
    has: (i: EngineInfo) => i.swapLimit,
    why: 'this kernel does not account swap, so --memory-swap limits are not enforced (on Debian/Ubuntu: boot with cgroup swap accounting enabled, e.g. swapaccount=1 on cgroup v1)',
  },
  'cpu-quota': { has: (i: EngineInfo) => i.cpuQuota, why: 'the engine reports no CPU quota support (CFS bandwidth control)' },
  'cpu-shares': { has: (i: EngineInfo) => i.cpuShares, why: 'the engine reports no CPU shares support' },
  cpuset: { has: (i: EngineInfo) => i.cpuSet, why: 'the engine reports no cpuset support' },
  'compose-v2': { has: () => true, why: "Compose v2 (`docker compose`) is not installed: install the docker-compose-plugin or Debian's docker-compose 2.x" },
} as const;

export type Requirement = keyof typeof REQUIREMENTS;
export const REQUIREMENT_NAMES = Object.keys(REQUIREMENTS) as Requirement[];

async function hasComposeV2(): Promise<boolean> {
  try {
    await mustRun('docker', ['compose', 'version', '--short']);
    return true;
  } catch {
    return false;
  }
}

/** The sentences that say why this host (or engine) cannot run a lab; empty when it can. */
export async function unmetRequirements(lab: Pick<Lab, 'requires' | 'podman'>, info: EngineInfo): Promise<string[]> {
  const unmet: string[] = [];
  if (info.product === 'Podman' && lab.podman) unmet.push(`Podman: ${lab.podman}`);
  for (const r of lab.requires as readonly Requirement[]) {
    const ok = r === 'compose-v2' ? await hasComposeV2() : REQUIREMENTS[r].has(info);
    if (!ok) unmet.push(`${r}: ${REQUIREMENTS[r].why}`);
  }
  return unmet;
}
