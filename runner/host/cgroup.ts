/**
 * Where a container sees its own cgroup settings, on cgroup v1 and v2 hosts, and how to read them back
 * in the units learners type on the docker command line.
 */

export type CgroupVersion = '1' | '2';
export type CgroupSetting = 'memory-limit' | 'memory-swap-limit' | 'cpus' | 'cpu-shares' | 'cpuset-cpus';

export const CGROUP_SETTINGS: readonly CgroupSetting[] = ['memory-limit', 'memory-swap-limit', 'cpus', 'cpu-shares', 'cpuset-cpus'];

interface Reading {
  /** Files read (inside the container), in order. */
  readonly files: readonly string[];
  /** Turns their contents into the value learners would pass to docker run. */
  readonly parse: (contents: readonly string[]) => string;
}

/** Where a container sees its own cgroup, on both versions (v1 adds a folder per controller). */
const ROOT = '/sys/fs/cgroup';
const UNLIMITED_V1 = 9223372036854771712n; // PAGE_COUNTER_MAX in bytes on 4 KiB pages

function v1Bytes(s: string): string {
  const n = BigInt(s.trim());
  return n >= UNLIMITED_V1 ? 'max' : n.toString();
}

/** cgroup v2's cpu.weight from docker's --cpu-shares, as runc converts it. */
export function sharesToWeight(shares: number): number {
  if (shares === 0) return 100;
  return Math.floor(1 + ((shares - 2) * 9999) / 262142);
}

export function cgroupReading(version: CgroupVersion, setting: CgroupSetting): Reading {
  if (version === '1') {
    switch (setting) {
      case 'memory-limit':
        return { files: [`${ROOT}/memory/memory.limit_in_bytes`], parse: ([a]) => v1Bytes(a ?? '') };
      case 'memory-swap-limit':
        return { files: [`${ROOT}/memory/memory.memsw.limit_in_bytes`], parse: ([a]) => v1Bytes(a ?? '') };
      case 'cpus':
        return {
          files: [`${ROOT}/cpu/cpu.cfs_quota_us`, `${ROOT}/cpu/cpu.cfs_period_us`],
          parse: ([q, p]) => (Number(q) < 0 ? 'max' : String(Number(q) / Number(p))),
        };
      case 'cpu-shares':
        return { files: [`${ROOT}/cpu/cpu.shares`], parse: ([a]) => String(Number(a)) };
      case 'cpuset-cpus':
        return { files: [`${ROOT}/cpuset/cpuset.cpus`], parse: ([a]) => (a ?? '').trim() };
    }
  }
  switch (setting) {
    case 'memory-limit':
      return { files: [`${ROOT}/memory.max`], parse: ([a]) => (a ?? '').trim() };
    case 'memory-swap-limit':
      // v2 keeps swap apart from memory; docker's --memory-swap is their sum.
      return {
        files: [`${ROOT}/memory.max`, `${ROOT}/memory.swap.max`],
        parse: ([m, s]) => (m?.trim() === 'max' || s?.trim() === 'max' ? 'max' : String(BigInt(m!.trim()) + BigInt(s!.trim()))),
      };
    case 'cpus':
      return {
        files: [`${ROOT}/cpu.max`],
        parse: ([a]) => {
          const [q, p] = (a ?? '').trim().split(/\s+/);
          return q === 'max' ? 'max' : String(Number(q) / Number(p));
        },
      };
    case 'cpu-shares':
      return { files: [`${ROOT}/cpu.weight`], parse: ([a]) => String(Number(a)) };
    case 'cpuset-cpus':
      return { files: [`${ROOT}/cpuset.cpus.effective`], parse: ([a]) => (a ?? '').trim() };
  }
}

/** The newer mapping (runc 1.3+, crun 1.23+), which sends the default 1024 shares to the default weight 100. */
export function sharesToWeightQuadratic(shares: number): number {
  if (shares === 0) return 100;
  const l = Math.log2(shares);
  return Math.ceil(10 ** ((l * l + 125 * l) / 612 - 7 / 34));
}

/** The values a cgroup file may show for what the lab asked (runtimes differ for cpu.weight). */
export function expectedReadings(version: CgroupVersion, setting: CgroupSetting, value: string | number): string[] {
  if (setting === 'cpu-shares' && version === '2') {
    const n = Number(value);
    return [...new Set([String(sharesToWeight(n)), String(sharesToWeightQuadratic(n))])];
  }
  return [String(value)];
}
