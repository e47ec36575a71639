import { mkdtempSync } from 'node:fs';
import { expect } from 'vitest';
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
import type { Lab } from '../../runner/lab/types.js';
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

/** A session of a lab as verify opens it, in a temporary state folder, with a shell in the lab's working folder. */
interface LabRun {
  readonly lab: Lab;
  readonly ctx: CheckContext;
  /** Runs a block in the lab's folder; with `mustPass`, a failing block throws with its output. */
  sh(text: string, mustPass: boolean): Promise<void>;
}

/** Opens a run of the lab, hands it to `body`, and cleans up the way verify does, whatever happened. */
async function withLabRun<T>(labId: string, body: (run: LabRun) => Promise<T>, cleanup?: string): Promise<T> {
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
    if (mustPass && r.code !== 0) throw new Error(`commands failed (${r.code}): ${text}\n${out}`);
  };
  const helper = loadCatalog(join(ROOT, 'images')).get('busybox')!.tag;
  try {
    return await body({ lab, ctx: sessionContext(docker, session, helper, state), sh });
  } finally {
    if (cleanup) await sh(cleanup, false);
    const found = await survey(docker, lab, session);
    await removeAll(docker, found.owned);
    keeper.stop(false);
    removeWorkDir(state, lab);
  }
}

/**
 * Replays a lab up to a step, does the mistake instead, and returns what the step's checks tell the learner.
 * Everything is cleaned up the way verify does it.
 */
export async function attempt(labId: string, a: Attempt): Promise<string[]> {
  return withLabRun(
    labId,
    async ({ lab, ctx, sh }) => {
      for (const step of lab.steps.slice(0, a.solvedSteps)) {
        for (const b of [...step.setup, ...step.solution, ...step.cleanup]) await sh(b.text, true);
        // What a step records (a count, a rate) is what a later step compares with: judge those checks as verify does.
        for (const check of step.checks.filter((c) => c.fields.record !== undefined)) await judgeWithin(check, ctx, check.withinMs);
      }
      const step = lab.steps[a.judgeStep - 1]!;
      // The runner sets a step up when the learner reaches it, before they type anything.
      for (const b of step.setup) await sh(b.text, true);
      await sh(a.wrong, false);
      const failures: string[] = [];
      for (const check of step.checks) {
        const outcome = await judgeWithin(check, ctx, Math.min(check.withinMs, 1500));
        if (!outcome.pass) failures.push(failureText(check, outcome));
      }
      return failures;
    },
    a.cleanup,
  );
}

/**
 * A right answer typed differently: the lab runs from the start as verify runs it, except that the steps named in
 * `answers` run the learner's commands instead of the lab's solution. Every step's checks are judged after it (so
 * a later step sees what an earlier one recorded), and what each step's checks told the learner is returned, by
 * step (1-based): empty when every check passed.
 */
export async function replay(labId: string, answers: Readonly<Record<number, string>>): Promise<Map<number, string[]>> {
  return withLabRun(labId, async ({ lab, ctx, sh }) => {
    const told = new Map<number, string[]>();
    for (const [k, step] of lab.steps.entries()) {
      for (const b of step.setup) await sh(b.text, true);
      const answer = answers[k + 1];
      if (answer !== undefined) await sh(answer, true);
      else for (const b of step.solution) await sh(b.text, true);
      const outcomes = await Promise.all(step.checks.map(async (check) => ({ check, outcome: await judgeWithin(check, ctx, check.withinMs) })));
      told.set(
        k + 1,
        outcomes.filter((o) => !o.outcome.pass).map((o) => failureText(o.check, o.outcome)),
      );
      for (const b of step.cleanup) await sh(b.text, true);
    }
    return told;
  });
}

/** Replays the lab with these answers and fails, with every message a learner would read, unless all checks pass. */
export async function expectAllPass(labId: string, answers: Readonly<Record<number, string>>): Promise<void> {
  const told = await replay(labId, answers);
  for (const step of Object.keys(answers)) expect(told.has(Number(step)), `step ${step} was judged`).toBe(true);
  const failed = [...told].filter(([, f]) => f.length);
  expect(failed.map(([step, f]) => `step ${step}: ${f.join('\n')}`).join('\n---\n')).toBe('');
}
