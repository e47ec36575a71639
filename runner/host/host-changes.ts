import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';

/**
 * What `engine up` changed on this system beyond starting a process: files it wrote under /etc/apt and the
 * packages that were not installed before it ran. Kept in the state folder so `engine down --purge` undoes exactly
 * that, and nothing the system had before.
 */
export interface HostChanges {
  readonly files: readonly string[];
  readonly packages: readonly string[];
}

/** Where the record is kept, in the state folder. */
export const hostChangesFile = (state: string): string => join(state, 'host-changes.json');

export function readHostChanges(state: string): HostChanges | undefined {
  if (!existsSync(hostChangesFile(state))) return undefined;
  try {
    const raw = JSON.parse(readFileSync(hostChangesFile(state), 'utf8')) as Partial<HostChanges>;
    const strings = (x: unknown) => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);
    return { files: strings(raw.files), packages: strings(raw.packages) };
  } catch {
    return undefined;
  }
}

/** Adds to the record (a second `engine up` that installs more keeps the first one's changes). */
export function recordHostChanges(state: string, more: HostChanges): HostChanges {
  const before = readHostChanges(state) ?? { files: [], packages: [] };
  const merged = {
    files: [...new Set([...before.files, ...more.files])],
    packages: [...new Set([...before.packages, ...more.packages])].sort(),
  };
  writeFileAtomic(hostChangesFile(state), JSON.stringify(merged, null, 2));
  return merged;
}

export function forgetHostChanges(state: string): void {
  rmSync(hostChangesFile(state), { force: true });
}

/** Parses `dpkg-query -W -f '${Package}\t${db:Status-Status}\n'`: the packages installed now. */
export function installedFrom(dpkgQuery: string): Set<string> {
  return new Set(
    dpkgQuery
      .split('\n')
      .map((l) => l.split('\t'))
      .filter(([name, status]) => name && status?.trim() === 'installed')
      .map(([name]) => name!.replace(/:[a-z0-9]+$/, '')),
  );
}

/** The packages an install added: installed after, not before. */
export function addedPackages(before: ReadonlySet<string>, after: ReadonlySet<string>): string[] {
  return [...after].filter((p) => !before.has(p)).sort();
}
