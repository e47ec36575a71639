import { readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';
import { join } from 'node:path';
import type { Measurements } from '../checks/types.js';

/**
 * What checks measured during one session of a lab (a work rate with one worker, …), kept so a later step can
 * compare against it, also after the learner quits and comes back. Kept beside the session record and dropped
 * with it; values of an earlier session are never read.
 */
const fileOf = (state: string, lab: string): string => join(state, 'sessions', `${lab}.measurements.json`);

export function memoryMeasurements(): Measurements {
  const values = new Map<string, number>();
  return { get: (name) => values.get(name), set: (name, value) => void values.set(name, value) };
}

export function sessionMeasurements(state: string, lab: string, session: string): Measurements {
  const file = fileOf(state, lab);
  const read = (): Record<string, number> => {
    try {
      const r = JSON.parse(readFileSync(file, 'utf8')) as { session?: string; values?: Record<string, number> };
      return r.session === session && r.values ? r.values : {};
    } catch {
      return {};
    }
  };
  return {
    get: (name) => read()[name],
    set: (name, value) => {
      const values = { ...read(), [name]: value };
      writeFileAtomic(file, JSON.stringify({ session, values }, null, 2));
    },
  };
}

export function clearMeasurements(state: string, lab: string): void {
  rmSync(fileOf(state, lab), { force: true });
}
