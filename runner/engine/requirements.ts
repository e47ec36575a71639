import type { EngineInfo } from '../docker/port.js';
import type { CheckSpec, Lab, Step } from '../lab/types.js';
import { mustRun } from '../host/run.js';
import { CHECK_KINDS } from '../checks/registry.js';
import type { Requirement } from '../lab/requirement-names.js';
import { UserError } from '../errors.js';

/** Host features a lab may need; a lab that needs one the host lacks says so before it starts. */
export const REQUIREMENTS: Readonly<Record<Requirement, { has: (i: EngineInfo) => boolean; why: string }>> = {
  'swap-limit': {
    has: (i: EngineInfo) => i.swapLimit,
    why: 'this kernel does not account swap, so --memory-swap limits are not enforced (on Debian/Ubuntu: boot with cgroup swap accounting enabled, e.g. swapaccount=1 on cgroup v1)',
  },
  'cpu-quota': { has: (i: EngineInfo) => i.cpuQuota, why: 'the engine reports no CPU quota support (CFS bandwidth control)' },
  'cpu-shares': { has: (i: EngineInfo) => i.cpuShares, why: 'the engine reports no CPU shares support' },
  cpuset: { has: (i: EngineInfo) => i.cpuSet, why: 'the engine reports no cpuset support' },
  'compose-v2': { has: () => true, why: "Compose v2 (`docker compose`) is not installed: install the docker-compose-plugin or Debian's docker-compose 2.x" },
};

/** The sentence that says why an engine without `r` cannot do what needs it. */
const reason = (r: Requirement): string => `${r}: ${REQUIREMENTS[r].why}`;

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
  for (const r of lab.requires) {
    const ok = r === 'compose-v2' ? await hasComposeV2() : REQUIREMENTS[r].has(info);
    if (!ok) unmet.push(reason(r));
  }
  return unmet;
}

/**
 * The lab as this engine can prove it: a check that needs what the engine lacks (`requires:` on the check) is left
 * out, as is a field whose kind says it needs it (hostconfig's memorySwap needs swap accounting); a check left with
 * nothing to assert goes too. Each step says what was left out, and why. The rest of the lab is unchanged.
 */
export function checksForEngine(lab: Lab, info: EngineInfo): Lab {
  const lacking = (r: Requirement | undefined): r is Requirement => r !== undefined && r !== 'compose-v2' && !REQUIREMENTS[r].has(info);
  let changed = false;
  const steps = lab.steps.map((step): Step => {
    const why = new Set<Requirement>();
    const checks = step.checks.flatMap((c): CheckSpec[] => {
      const missing = (c.requires ?? []).filter(lacking);
      if (missing.length) {
        for (const r of missing) why.add(r);
        return [];
      }
      const kind = CHECK_KINDS.get(c.kind);
      const dropped = Object.keys(c.fields).filter((f) => lacking(kind?.fields[f]?.requires));
      if (!dropped.length) return [c];
      for (const f of dropped) why.add(kind!.fields[f]!.requires!);
      const fields = Object.fromEntries(Object.entries(c.fields).filter(([f]) => !dropped.includes(f)));
      // What is left must still assert something (the kind's oneOf), or the check says nothing here.
      if (kind?.oneOf && !kind.oneOf.some((k) => k in fields)) return [];
      return [{ ...c, fields }];
    });
    if (!why.size) return step;
    changed = true;
    return { ...step, checks, notHere: [...why].map(reason) };
  });
  return changed ? { ...lab, steps } : lab;
}

/** A lab this engine cannot run, with every reason; told before anything of the lab runs. */
export class LabUnsupportedError extends UserError {
  constructor(
    readonly labId: string,
    readonly reasons: readonly string[],
  ) {
    super(`This engine cannot run lab ${labId}:\n  ${reasons.join('\n  ')}`);
  }
}

/**
 * The one gate every lab session passes (verify's and the runner's): the lab as this engine can prove it
 * (checksForEngine), or LabUnsupportedError when the engine lacks what the whole lab needs.
 */
export async function labForEngine(lab: Lab, info: EngineInfo): Promise<Lab> {
  const unmet = await unmetRequirements(lab, info);
  if (unmet.length) throw new LabUnsupportedError(lab.id, unmet);
  return checksForEngine(lab, info);
}
