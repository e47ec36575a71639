import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clearMeasurements } from './measurements.js';

/**
 * A session record says "lab X started making things at time T". It is written before the first command
 * runs and removed after cleanup, so a run killed half-way leaves a record the next reset or verify reads
 * to know which same-named resources are the lab's to reclaim.
 */
export interface SessionRecord {
  readonly lab: string;
  readonly session: string;
  readonly startedAt: number;
  readonly mode: 'verify' | 'start';
}

const dirOf = (state: string): string => join(state, 'sessions');
const fileOf = (state: string, lab: string): string => join(dirOf(state), `${lab}.json`);

export function readSession(state: string, lab: string): SessionRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(fileOf(state, lab), 'utf8')) as SessionRecord;
    return typeof r.startedAt === 'number' && r.lab === lab ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Written atomically: a half-written record would be worse than none. */
export function writeSession(state: string, record: SessionRecord): void {
  mkdirSync(dirOf(state), { recursive: true });
  const tmp = `${fileOf(state, record.lab)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record, null, 2));
  renameSync(tmp, fileOf(state, record.lab));
}

export function clearSession(state: string, lab: string): void {
  rmSync(fileOf(state, lab), { force: true });
  clearMeasurements(state, lab);
}

export function newSession(lab: string, mode: SessionRecord['mode'], now = Date.now()): SessionRecord {
  return { lab, session: randomBytes(6).toString('hex'), startedAt: now, mode };
}
