import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../lab/types.js';

/** Files a lab ships for the learner to build and edit (Dockerfiles, app sources). */
export const LAB_FILES = 'files';

/** The lab's working folder: where its commands run, outside the installed package. */
export function workDir(stateDir: string, lab: Lab): string {
  return workDirFor(stateDir, lab.id);
}

/** The same folder, known by the lab's id alone (a session record has no more). */
export function workDirFor(stateDir: string, labId: string): string {
  return join(stateDir, 'work', labId);
}

/** A fresh copy of the lab's files, so every run (and every learner) starts from the same state. */
export function prepareWorkDir(stateDir: string, lab: Lab): string {
  const dir = workDir(stateDir, lab);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = join(lab.dir, LAB_FILES);
  if (lab.dir && existsSync(files)) cpSync(files, dir, { recursive: true });
  return dir;
}

export function removeWorkDir(stateDir: string, lab: Lab): void {
  rmSync(workDir(stateDir, lab), { recursive: true, force: true });
}
