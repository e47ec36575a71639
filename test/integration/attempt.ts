import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckContext } from '../../runner/checks/types.js';
import { DockerAdapter } from '../../runner/docker/adapter.js';
import { failureText, judgeWithin, sessionContext } from '../../runner/engine/judge.js';
import { removeAll, survey } from '../../runner/engine/resources.js';
import { newSession, SessionKeeper } from '../../runner/engine/session.js';
import { runBlock } from '../../runner/host/run.js';
import { reclaim } from '../../runner/engine/verify.js';
import { prepareWorkDir, removeWorkDir } from '../../runner/engine/workdir.js';
import { loadCatalog } from '../../runner/images/catalog.js';
import { findLab, loadLabs } from '../../runner/lab/load.js';
import { ROOT } from './helpers.js';

export interface Attempt {
  /** Steps (1-based count) whose real solutions run first. */
  readonly solvedSteps: number;
  /** What a learner plausibly types instead. */
  readonly wrong: string;
  /** The step (1-based) whose checks must reject it. */
  readonly judgeStep: number;
  /** Extra cleanup for things the mistake made outside the lab's names. */
  readonly cleanup?: string;
}

/**
 * Replays a lab up to a step, does the mistake instead, and returns what the step's checks tell the learner.
 * Everything is cleaned up the way verify does it.
 */
export async function attempt(labId: string, a: Attempt): Promise<string[]> {
  const labsDir = join(ROOT, 'labs');
  const lab = findLab(loadLabs(labsDir), labId, labsDir);
  const docker = new DockerAdapter();
  const state = mkdtempSync(join(tmpdir(), 'll-attempt-'));
  await reclaim(docker, lab, state, { refuseForeign: true });
  const keeper = new SessionKeeper(state, newSession(lab.id, 'verify'));
  const session = keeper.start();
  const cwd = prepareWorkDir(state, lab);
  const sh = async (text: string, mustPass: boolean) => {
    let out = '';
    const r = await runBlock(text, { cwd, onOutput: (_s, t) => (out += t) });
    if (mustPass && r.code !== 0) throw new Error(`solution failed (${r.code}): ${text}\n${out}`);
  };
  const ctx: CheckContext = sessionContext(docker, session, helperTag(), state);
  try {
    for (const step of lab.steps.slice(0, a.solvedSteps)) {
      for (const b of [...step.setup, ...step.solution, ...step.cleanup]) await sh(b.text, true);
      // What a step records (a count, a rate) is what a later step compares with: judge those checks as verify does.
      for (const check of step.checks.filter((c) => c.fields.record !== undefined)) await judgeWithin(check, ctx, check.withinMs);
    }
    // The runner sets a step up when the learner reaches it, before they type anything.
    for (const b of lab.steps[a.judgeStep - 1]!.setup) await sh(b.text, true);
    await sh(a.wrong, false);
    const step = lab.steps[a.judgeStep - 1]!;
    const failures: string[] = [];
    for (const check of step.checks) {
      const outcome = await judgeWithin(check, ctx, Math.min(check.withinMs, 1500));
      if (!outcome.pass) failures.push(failureText(check, outcome));
    }
    return failures;
  } finally {
    if (a.cleanup) await sh(a.cleanup, false);
    const found = await survey(docker, lab, session);
    await removeAll(docker, found.owned);
    keeper.stop(false);
    removeWorkDir(state, lab);
  }
}

const helperTag = (): string => loadCatalog(join(ROOT, 'images')).get('busybox')!.tag;

/**
 * A right answer typed differently: the lab runs from the start as verify runs it, except that the steps named in
 * `answers` run the learner's commands instead of the lab's solution. Every step's checks are judged after it (so
 * a later step sees what an earlier one recorded), and what each step's checks told the learner is returned, by
 * step (1-based): empty when every check passed.
 */
export async function replay(labId: string, answers: Readonly<Record<number, string>>): Promise<Map<number, string[]>> {
  const labsDir = join(ROOT, 'labs');
  const lab = findLab(loadLabs(labsDir), labId, labsDir);
  const docker = new DockerAdapter();
  const state = mkdtempSync(join(tmpdir(), 'll-replay-'));
  await reclaim(docker, lab, state, { refuseForeign: true });
  const keeper = new SessionKeeper(state, newSession(lab.id, 'verify'));
  const session = keeper.start();
  const cwd = prepareWorkDir(state, lab);
  const ctx = sessionContext(docker, session, helperTag(), state);
  const sh = async (text: string) => {
    let out = '';
    const r = await runBlock(text, { cwd, onOutput: (_s, t) => (out += t) });
    if (r.code !== 0) throw new Error(`commands failed (${r.code}): ${text}\n${out}`);
  };
  const told = new Map<number, string[]>();
  try {
    for (const [k, step] of lab.steps.entries()) {
      for (const b of step.setup) await sh(b.text);
      const answer = answers[k + 1];
      if (answer !== undefined) await sh(answer);
      else for (const b of step.solution) await sh(b.text);
      const outcomes = await Promise.all(step.checks.map(async (check) => ({ check, outcome: await judgeWithin(check, ctx, check.withinMs) })));
      told.set(k + 1, outcomes.filter((o) => !o.outcome.pass).map((o) => failureText(o.check, o.outcome)));
      for (const b of step.cleanup) await sh(b.text);
    }
    return told;
  } finally {
    const found = await survey(docker, lab, session);
    await removeAll(docker, found.owned);
    keeper.stop(false);
    removeWorkDir(state, lab);
  }
}
