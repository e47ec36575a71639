import type { CheckContext, CheckOutcome } from '../checks/types.js';
import type { DockerPort } from '../docker/port.js';
import type { CheckSpec, CommandBlock, Lab, Step } from '../lab/types.js';
import type { CommandPhase, Emit } from './events.js';
import { judgeOnce, judgeUntil, sessionContext } from './judge.js';
import { orphanedVolumes, removeAll, ResourceClashError, survey, type Resource } from './resources.js';
import { clearSession, engineSkew, newSession, readSession, SessionKeeper, type SessionRecord } from './session.js';
import { runBlock } from '../host/run.js';
import { escapeControls } from '../text/controls.js';
import { prepareWorkDir, removeWorkDir, workDir } from './workdir.js';
import { LabUnsupportedError, labForEngine } from './requirements.js';
import { recordEvents, withEventLog } from './event-log.js';

export interface VerifyOptions {
  readonly docker: DockerPort;
  readonly stateDir: string;
  readonly emit: Emit;
  /** Leave the lab's resources for inspection (the session record stays, so reset finds them). */
  readonly keep?: boolean;
  /** Stop at the first failing step. */
  readonly bail?: boolean;
  readonly signal?: AbortSignal;
  /** Makes sure the lab's images exist; returns the helper image for checks. */
  readonly prepareImages: (lab: Lab) => Promise<string>;
  /** A check that waits for the engine (`within`) is given this many times its time (a slow engine; default 1). */
  readonly patience?: number;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly failedSteps: number;
}

/**
 * Removes what a lab left behind from an earlier (perhaps killed) run, and its working folder. Things with the
 * lab's names that are the learner's are never touched: `refuseForeign` (before a run) refuses outright and
 * removes nothing; otherwise (reset) they are left and returned.
 */
export async function reclaim(docker: DockerPort, lab: Lab, stateDir: string, opts: { refuseForeign: boolean }): Promise<{ removed: Resource[]; foreign: Resource[] }> {
  const found = await survey(docker, lab, readSession(stateDir, lab.id));
  if (opts.refuseForeign && found.foreign.length) throw new ResourceClashError(lab.id, found.foreign);
  const removed = await removeAll(docker, found.owned);
  clearSession(stateDir, lab.id);
  removeWorkDir(stateDir, lab);
  return { removed, foreign: found.foreign };
}

/** Runs blocks in order; returns a problem sentence for the first one that fails. */
async function runBlocks(blocks: readonly CommandBlock[], phase: CommandPhase, lab: Lab, step: Step | undefined, opts: VerifyOptions): Promise<string | undefined> {
  for (const block of blocks) {
    if (opts.signal?.aborted) return 'interrupted';
    opts.emit({ kind: 'command', lab, step, phase, text: block.text });
    const r = await runBlock(block.text, {
      cwd: workDir(opts.stateDir, lab),
      signal: opts.signal,
      // Output is untrusted (containers print it): it leaves here with its control characters made visible.
      onOutput: (stream, text) => opts.emit({ kind: 'output', lab, step, stream, text: escapeControls(text) }),
    });
    if (r.code !== 0) return opts.signal?.aborted ? 'interrupted' : `the ${phase} commands at ${block.pos.file}:${block.pos.line} failed with exit code ${r.code}`;
  }
  return undefined;
}

interface Judged {
  readonly check: CheckSpec;
  readonly outcome: CheckOutcome;
  readonly ms: number;
  /** Judgements it took (1: at once). */
  readonly attempts: number;
}

/** A step's checks only read engine state, so they are judged side by side; the result keeps the authored order. */
function judgeChecks(step: Step, phase: 'before' | 'after', ctx: CheckContext, signal?: AbortSignal, patience = 1): Promise<Judged[]> {
  return Promise.all(
    step.checks.map(async (check) => {
      const t0 = performance.now();
      const { outcome, attempts } = phase === 'before' ? { outcome: await judgeOnce(check, ctx), attempts: 1 } : await judgeUntil(check, ctx, check.withinMs * patience, signal);
      return { check, outcome, ms: performance.now() - t0, attempts };
    }),
  );
}

/**
 * Proves one step. `early` is its before-checks, judged while the previous step's after-checks were: nothing runs
 * between the two (no cleanup there, no setup here), so they read the same engine. When `next` is given (the step
 * after this one, under the same condition), its before-checks are judged beside this step's after-checks and
 * returned, unless one of these needed more than one judgement: the engine was still moving then, and the next
 * step judges its own.
 */
async function verifyStep(
  step: Step,
  lab: Lab,
  ctx: CheckContext,
  opts: VerifyOptions,
  early: Promise<Judged[]> | undefined,
  next: Step | undefined,
): Promise<{ ok: boolean; nextBefore?: Promise<Judged[]> }> {
  const started = Date.now();
  const problems: string[] = [];
  const commandProblems: string[] = [];
  let nextBefore: Promise<Judged[]> | undefined;
  const report = (phase: 'before' | 'after', judged: readonly Judged[]) => {
    for (const [index, { check, outcome, ms }] of judged.entries()) {
      opts.emit({ kind: 'check', lab, step, check, index, phase, outcome, ms });
      if (phase === 'before' && outcome.pass && !check.guard) problems.push(`${check.pos.file}:${check.pos.line}: this check already passes before the step, so it cannot tell the learner anything`);
      if (phase === 'after' && !outcome.pass) problems.push(`${check.pos.file}:${check.pos.line}: expected ${outcome.expected}, but ${outcome.found}`);
    }
  };
  opts.emit({ kind: 'step-start', lab, step });
  const setupProblem = await runBlocks(step.setup, 'setup', lab, step, opts);
  if (setupProblem) commandProblems.push(setupProblem);
  else {
    if (!opts.signal?.aborted) report('before', await (early ?? judgeChecks(step, 'before', ctx)));
    const solutionProblem = await runBlocks(step.solution, 'solution', lab, step, opts);
    if (solutionProblem) commandProblems.push(solutionProblem);
    if (!opts.signal?.aborted) {
      const upcoming = next && !step.cleanup.length && !next.setup.length ? judgeChecks(next, 'before', ctx) : undefined;
      // Handled here too: if these after-checks throw (a dead engine), nobody waits for it.
      upcoming?.catch(() => undefined);
      const after = await judgeChecks(step, 'after', ctx, opts.signal, opts.patience);
      report('after', after);
      if (upcoming) {
        if (after.every((j) => j.attempts === 1)) nextBefore = upcoming;
        else await upcoming.catch(() => undefined); // judged again, on the engine as it is now
      }
    }
    const cleanupProblem = await runBlocks(step.cleanup, 'cleanup', lab, step, opts);
    if (cleanupProblem) commandProblems.push(cleanupProblem);
  }
  if (opts.signal?.aborted && !commandProblems.includes('interrupted')) commandProblems.push('interrupted');
  const ok = problems.length === 0 && commandProblems.length === 0;
  opts.emit({ kind: 'step-end', lab, step, ok, commandProblems, ms: Date.now() - started });
  return { ok, nextBefore };
}

/** Proves a lab: every check fails before its step and passes after it, and nothing is left behind. */
export async function verifyLab(written: Lab, opts: VerifyOptions): Promise<VerifyResult> {
  // The lab as this engine can prove it, once its info is in (a check it cannot judge there is left out).
  let lab = written;
  const started = Date.now();
  let session: SessionRecord | undefined;
  let keeper: SessionKeeper | undefined;
  let failedSteps = 0;
  let error: string | undefined;
  let unsupported: readonly string[] | undefined;
  // The session's own record of the engine's events, begun before it opens: its checks and its clean-up read the
  // past from it, whatever else the engine is doing (it keeps only its last 256 events).
  let recording: Awaited<ReturnType<typeof recordEvents>> | undefined;
  const docker = withEventLog(opts.docker, () => recording?.log);
  try {
    const info = await opts.docker.info();
    lab = await labForEngine(written, info);
    const t0 = Date.now();
    // The images and what an earlier run left are seen to side by side; each waits for the other before a failure
    // is told, so nothing still runs then. Refused when the learner's things hold the lab's names, so nothing is
    // there before the session but its own.
    const [images, leftovers] = await Promise.allSettled([
      opts.prepareImages(lab).then((helper) => {
        opts.emit({ kind: 'images-ready', lab, images: lab.images, ms: Date.now() - t0 });
        return helper;
      }),
      reclaim(opts.docker, lab, opts.stateDir, { refuseForeign: true }),
    ]);
    if (images.status === 'rejected') throw images.reason;
    if (leftovers.status === 'rejected') throw leftovers.reason;
    const helperImage = images.value;
    const { removed: reclaimed, foreign } = leftovers.value;
    if (reclaimed.length) opts.emit({ kind: 'reclaimed', lab, resources: reclaimed });
    // Best effort: an engine that gives no event stream (Podman's API) is asked for its past instead.
    recording = await recordEvents(opts.docker, engineSkew(info)).catch(() => undefined);
    keeper = new SessionKeeper(opts.stateDir, { ...newSession(lab.id, 'verify', Date.now(), engineSkew(info)), preexisting: foreign.map((r) => r.key) });
    session = keeper.start();
    prepareWorkDir(opts.stateDir, lab);
    opts.emit({ kind: 'lab-start', lab, session: session.session });
    const ctx = sessionContext(docker, session, helperImage, opts.stateDir);
    let early: Promise<Judged[]> | undefined;
    for (const [i, step] of lab.steps.entries()) {
      if (opts.signal?.aborted) break;
      const { ok, nextBefore } = await verifyStep(step, lab, ctx, opts, early, lab.steps[i + 1]);
      early = nextBefore;
      if (!ok) failedSteps++;
      if (!ok && opts.bail) break;
    }
  } catch (err) {
    error = (err as Error).message;
    if (err instanceof LabUnsupportedError) unsupported = err.reasons;
  }
  let residueProblem = false;
  if (session && !opts.keep) {
    try {
      const cleanupProblem = await runBlocks(lab.cleanup, 'cleanup', lab, undefined, { ...opts, signal: undefined });
      const found = await survey(docker, lab, session);
      const orphaned = await orphanedVolumes(docker, found);
      const removed = await removeAll(docker, found.owned);
      // Nothing runs in between: with nothing removed, a second look would see what the first saw.
      const after = removed.length || found.owned.length ? await survey(docker, lab, session) : found;
      const residue = [...after.owned, ...after.foreign];
      opts.emit({ kind: 'cleanup', lab, removed, residue, orphaned });
      residueProblem = residue.length > 0 || orphaned.length > 0 || cleanupProblem !== undefined;
      if (cleanupProblem) error ??= cleanupProblem;
      keeper?.stop(residue.length > 0);
      if (residue.length === 0) removeWorkDir(opts.stateDir, lab);
    } catch (err) {
      error ??= `cleanup failed: ${(err as Error).message}`;
      residueProblem = true;
    }
  }
  recording?.stop();
  // --keep, or a cleanup that failed: the record stays (its window closed) so reset finds what is left.
  keeper?.stop(true);
  const ok = !error && failedSteps === 0 && !residueProblem && !opts.signal?.aborted;
  opts.emit({ kind: 'lab-end', lab, ok, ms: Date.now() - started, error: opts.signal?.aborted ? 'interrupted' : error, unsupported });
  return { ok, failedSteps };
}
