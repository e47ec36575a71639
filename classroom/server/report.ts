/**
 * What the instructor reads: one row per sandbox for `class status` (and part 2's dashboard), one row per learner,
 * lab and step for `class export`. Pure over the store.
 */
import type { ClassStatus, StatusRow } from '../protocol.js';
import type { ClassSettings } from './settings.js';
import type { ClassStore } from './store.js';

export function statusRows(store: ClassStore, settings: ClassSettings, now: number, connected: (sandbox: string) => boolean): ClassStatus {
  const learners = new Map(store.learners().map((l) => [l.sandbox, l]));
  const rows = store.sandboxes().map((s): StatusRow => {
    const l = learners.get(s.id);
    const p = store.position(s.id);
    const up = s.state === 'ready' && connected(s.id);
    const state = s.state === 'ready' && !up ? 'pending' : up && l ? 'claimed' : s.state;
    return {
      sandbox: s.id,
      slot: s.slot,
      learner: l?.name ?? '',
      node: s.node,
      state,
      message: s.message,
      restarts: s.restarts,
      lab: p?.lab ?? '',
      labTitle: p?.labTitle ?? '',
      step: p?.step ?? '',
      stepNumber: p ? p.stepIndex + 1 : 0,
      steps: p?.steps ?? 0,
      passed: p?.passed ?? 0,
      total: p?.total ?? 0,
      failing: p?.checks.find((c) => !c.pass)?.message ?? '',
      checks: p?.checks ?? [],
      onStepMs: p ? now - p.stepSince : 0,
      progressAt: p ? (p.progressAt ?? p.stepSince) : null,
      lastActivity: l ? Math.max(l.lastSeen, p?.lastActivity ?? 0) : null,
    };
  });
  return { class: settings.name, learners: settings.learners, joined: learners.size, rows };
}

export interface ExportRow {
  readonly learner: string;
  readonly name: string;
  readonly lab: string;
  readonly step_number: number;
  readonly step: string;
  readonly entered_at: string;
  readonly done_at: string;
  readonly seconds: number | '';
  readonly hints: number;
  readonly solved: boolean;
}

const csvCell = (v: unknown): string => {
  const s = String(v);
  // A cell a spreadsheet would run as a formula is quoted as text.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function exportData(store: ClassStore): ExportRow[] {
  const bySandbox = new Map(store.learners().map((l) => [l.sandbox, l]));
  return store
    .stepRecords()
    .filter((r) => bySandbox.has(r.sandbox))
    .map(({ sandbox, record: r }): ExportRow => {
      const l = bySandbox.get(sandbox)!;
      return {
        learner: l.id,
        name: l.name,
        lab: r.lab,
        step_number: r.stepIndex + 1,
        step: r.step,
        entered_at: new Date(r.enteredAt).toISOString(),
        done_at: r.doneAt ? new Date(r.doneAt).toISOString() : '',
        seconds: r.doneAt ? Math.round((r.doneAt - r.enteredAt) / 1000) : ('' as const),
        hints: r.hints,
        solved: r.solved,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.lab.localeCompare(b.lab) || a.step_number - b.step_number);
}

export function exportRows(store: ClassStore, format: 'csv' | 'jsonl'): string {
  const rows = exportData(store);
  if (format === 'jsonl') return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
  const cols = ['learner', 'name', 'lab', 'step_number', 'step', 'entered_at', 'done_at', 'seconds', 'hints', 'solved'] as const;
  return `${[cols.join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))].join('\n')}\n`;
}
