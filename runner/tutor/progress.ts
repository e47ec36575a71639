import { existsSync, readFileSync, renameSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';
import { join } from 'node:path';

/** Where a learner is in one lab: saved on every change, read back when they return. */
export interface LabProgress {
  /** Index of the step the learner is on. */
  readonly step: number;
  /** Hints revealed, per step id. */
  readonly hints: Readonly<Record<string, number>>;
  /** Step ids whose checks all passed. */
  readonly completed: readonly string[];
  readonly updatedAt: number;
}

export interface ProgressFile {
  readonly version: 1;
  readonly labs: Readonly<Record<string, LabProgress>>;
}

export const EMPTY_PROGRESS: ProgressFile = { version: 1, labs: {} };
export const freshLab = (): LabProgress => ({ step: 0, hints: {}, completed: [], updatedAt: Date.now() });

export const progressFile = (stateDir: string): string => join(stateDir, 'progress.json');

export interface LoadedProgress {
  readonly progress: ProgressFile;
  /** Set when the file was damaged: where it was moved, for the learner to read. */
  readonly setAside?: string;
}

function isLabProgress(v: unknown): v is LabProgress {
  const p = v as LabProgress;
  return (
    typeof p === 'object' &&
    p !== null &&
    Number.isInteger(p.step) &&
    p.step >= 0 &&
    typeof p.hints === 'object' &&
    p.hints !== null &&
    Object.values(p.hints).every((n) => Number.isInteger(n) && n >= 0) &&
    Array.isArray(p.completed) &&
    p.completed.every((s) => typeof s === 'string')
  );
}

/** Checks the shape of a parsed progress file; anything else is damage. */
export function parseProgress(text: string): ProgressFile {
  const data = JSON.parse(text) as { version?: unknown; labs?: unknown };
  if (data?.version !== 1 || typeof data.labs !== 'object' || data.labs === null) throw new Error('not a lean-labs progress file (version 1)');
  for (const [id, p] of Object.entries(data.labs)) if (!isLabProgress(p)) throw new Error(`the entry for lab "${id}" is malformed`);
  return data as ProgressFile;
}

/**
 * Reads the learner's progress. A damaged file is never fatal and never silently overwritten: it is moved
 * aside (progress.json.damaged-<time>) and the learner starts fresh, told where the old file went.
 */
export function loadProgress(stateDir: string, now = Date.now()): LoadedProgress {
  const file = progressFile(stateDir);
  if (!existsSync(file)) return { progress: EMPTY_PROGRESS };
  try {
    return { progress: parseProgress(readFileSync(file, 'utf8')) };
  } catch {
    const setAside = `${file}.damaged-${now}`;
    renameSync(file, setAside);
    return { progress: EMPTY_PROGRESS, setAside };
  }
}

/** Written to a temporary file and renamed over the old one: a crash mid-write leaves the old file whole. */
export function saveProgress(stateDir: string, progress: ProgressFile): void {
  const file = progressFile(stateDir);
  writeFileAtomic(file, `${JSON.stringify(progress, null, 2)}\n`);
}

export function withLab(progress: ProgressFile, id: string, lab: LabProgress | undefined): ProgressFile {
  const labs = { ...progress.labs };
  if (lab) labs[id] = lab;
  else delete labs[id];
  return { ...progress, labs };
}

/** "not started", "step 3 of 7", or "done", for the lab list. */
export function progressLabel(p: LabProgress | undefined, stepIds: readonly string[]): string {
  if (!p) return 'not started';
  if (stepIds.length > 0 && stepIds.every((id) => p.completed.includes(id))) return 'done';
  return `step ${Math.min(p.step, stepIds.length - 1) + 1} of ${stepIds.length}`;
}

/**
 * Fits saved progress to the labs as they are now: a lab that got shorter (or a hand-edited file) may name a
 * step past the last one. The step is clamped to the last step and steps that no longer exist are forgotten;
 * everything else is kept. Returns what changed, in sentences for the learner.
 */
export function fitProgress(file: ProgressFile, labs: readonly { readonly id: string; readonly steps: readonly { readonly id: string }[] }[]): { progress: ProgressFile; notes: string[] } {
  const notes: string[] = [];
  const fitted: Record<string, LabProgress> = { ...file.labs };
  for (const lab of labs) {
    const p = file.labs[lab.id];
    if (!p || lab.steps.length === 0) continue;
    const ids = new Set(lab.steps.map((s) => s.id));
    const last = lab.steps.length - 1;
    const completed = p.completed.filter((id) => ids.has(id));
    const hints = Object.fromEntries(Object.entries(p.hints).filter(([id]) => ids.has(id)));
    if (p.step > last) notes.push(`${lab.id}: your saved place (step ${p.step + 1}) is past its last step now; you are on step ${last + 1}.`);
    if (p.step > last || completed.length !== p.completed.length || Object.keys(hints).length !== Object.keys(p.hints).length)
      fitted[lab.id] = { ...p, step: Math.min(p.step, last), completed, hints };
  }
  return { progress: { ...file, labs: fitted }, notes };
}

/** What the runner says once when it opens, about the saved progress; undefined when there is nothing to say. */
export function openingNotice(setAside: string | undefined, notes: readonly string[]): string | undefined {
  const parts = [...(setAside ? [`Your progress file was damaged; it was moved to ${setAside} and you start afresh.`] : []), ...notes];
  return parts.length ? parts.join(' ') : undefined;
}
