import { readFileSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * Who a pid is, from /proc: when it started (field 22 of its stat, in clock ticks since boot) and which program it
 * runs. A pid alone is not an identity: after a crash or a reboot the number may belong to anything.
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly start: string;
  /** The program's file name (dockerd), from /proc/<pid>/exe, else the first word of its command line. */
  readonly program: string;
}

/** The start time of a live pid, or undefined when it is gone (or /proc is not there). */
export function processStart(pid: number): string | undefined {
  try {
    // Counted after the command name (which may hold spaces and parentheses) closes.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function programOf(pid: number): string | undefined {
  try {
    return basename(readlinkSync(`/proc/${pid}/exe`)).replace(/ \(deleted\)$/, '');
  } catch {
    try {
      const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
      return argv0 ? basename(argv0) : undefined;
    } catch {
      return undefined;
    }
  }
}

export function identify(pid: number): ProcessIdentity | undefined {
  const start = processStart(pid);
  const program = start === undefined ? undefined : programOf(pid);
  return start === undefined || program === undefined ? undefined : { pid, start, program };
}

/** Whether a pid is alive (a process we may not signal still counts). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
