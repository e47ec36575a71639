import { existsSync } from 'node:fs';
import type { CheckContext, CheckOutcome } from '../checks/types.js';
import { EngineUnreachableError } from '../docker/errors.js';
import type { DockerPort } from '../docker/port.js';
import type { ImageEvent } from '../images/ensure.js';
import { judgeOnce, judgeWithin, sessionContext } from '../engine/judge.js';
import { foreignReason } from '../engine/ownership.js';
import { type EventLog, recordEvents, withEventLog } from '../engine/event-log.js';
import { survey, type Resource } from '../engine/resources.js';
import { engineSkew, newSession, readSession, SessionKeeper, type SessionRecord } from '../engine/session.js';
import { runBlock } from '../host/run.js';
import { escapeControls } from '../text/controls.js';
import { reclaim } from '../engine/verify.js';
import { labForEngine } from '../engine/requirements.js';
import { prepareWorkDir, workDir } from '../engine/workdir.js';
import type { CheckSpec, CommandBlock, Lab, Step } from '../lab/types.js';
import { freshLab, type LabProgress } from './progress.js';
import { Debouncer, EventFilter } from './relevance.js';

/** Why the step was judged: shown to the learner, and measured by the benchmark. */
export type JudgeCause = 'open' | 'event' | 'key' | 'poll' | 'run' | 'solve' | 'engine-back';

export interface JudgedCheck {
  readonly check: CheckSpec;
  readonly outcome: CheckOutcome;
}

/** What an interactive session reports; the Ink UI folds these into its state, tests read them directly. */
export type TutorEvent =
  | { readonly kind: 'images-plan'; readonly toBuild: readonly string[] }
  | { readonly kind: 'image'; readonly event: ImageEvent }
  /** `lab`: the lab as this engine can prove it (a check it cannot judge there is left out, and the step says why). */
  | { readonly kind: 'ready'; readonly workDir: string; readonly foreign: readonly Resource[]; readonly lab: Lab }
  /** Names the lab needs are held by the learner's own things: checks wait (and never judge those) until freed. */
  | { readonly kind: 'foreign'; readonly foreign: readonly Resource[] }
  /** A lab is opened: whatever the screen showed before belongs to another session. */
  | { readonly kind: 'opened'; readonly progress: LabProgress }
  | { readonly kind: 'step'; readonly index: number; readonly progress: LabProgress }
  | { readonly kind: 'judging'; readonly cause: JudgeCause }
  | { readonly kind: 'judged'; readonly index: number; readonly cause: JudgeCause; readonly results: readonly JudgedCheck[]; readonly passed: boolean; readonly eventAt?: number }
  | { readonly kind: 'command'; readonly text: string; readonly what: 'commands' | 'solution' | 'setup' | 'cleanup' }
  | { readonly kind: 'typing'; readonly text: string }
  | { readonly kind: 'output'; readonly text: string }
  | { readonly kind: 'command-end'; readonly code: number; readonly interrupted: boolean }
  | { readonly kind: 'progress'; readonly progress: LabProgress }
  | { readonly kind: 'engine'; readonly up: boolean; readonly message?: string }
  | { readonly kind: 'reset'; readonly removed: readonly Resource[]; readonly foreign: readonly Resource[] }
  | { readonly kind: 'error'; readonly message: string };

export interface TutorOptions {
  readonly docker: DockerPort;
  readonly stateDir: string;
  readonly lab: Lab;
  /** The learner's saved place in this lab, if any. */
  readonly progress?: LabProgress;
  readonly saveProgress: (p: LabProgress | undefined) => void;
  /** Builds missing images; returns the helper image tag. */
  readonly prepareImages: (lab: Lab, onPlan: (toBuild: readonly string[]) => void, onEvent: (e: ImageEvent) => void) => Promise<string>;
  readonly emit: (e: TutorEvent) => void;
  /** Presenter mode: type each command out at this many ms per character before running it. */
  readonly typeMs?: number;
  /** Re-judge an unfinished step this often even without events (logs and files change silently). */
  readonly pollMs?: number;
  readonly debounceMs?: number;
  readonly engineRetryMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One learner working through one lab: judges the current step when the engine reports a change, runs and
 * solves steps, reveals hints, saves progress after every change, survives the engine going away.
 */
export class Tutor {
  private progress: LabProgress;
  private keeper: SessionKeeper | undefined;
  private foreign: readonly Resource[] = [];
  private ctx: CheckContext | undefined;
  private filter: EventFilter | undefined;
  private stopWatching: (() => void) | undefined;
  /** The engine's events as this process saw them, since its watch began. */
  private events: EventLog | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly debouncer: Debouncer;
  private judging = false;
  /** Judgings overlap (an event, the poll, a key): only the one started last may change what is shown or saved. */
  private generation = 0;
  private quietUntil = 0;
  private pendingEventAt: number | undefined;
  private engineUp = true;
  private closed = false;
  private running: AbortController | undefined;
  private readonly setUp = new Set<string>();
  private engineLab: Lab | undefined;

  constructor(private readonly opts: TutorOptions) {
    this.progress = opts.progress ?? freshLab();
    if (this.progress.step >= opts.lab.steps.length) this.progress = { ...this.progress, step: Math.max(0, opts.lab.steps.length - 1) };
    this.debouncer = new Debouncer(opts.debounceMs ?? 60, async () => {
      await this.judge('event');
    });
  }

  /** The lab as this engine can prove it (checksForEngine), once open; the lab as written before. */
  get lab(): Lab {
    return this.engineLab ?? this.opts.lab;
  }
  get step(): Step {
    return this.lab.steps[this.progress.step]!;
  }
  get current(): LabProgress {
    return this.progress;
  }
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Builds images, finds or starts the session, reports what stands in the way, and judges the step. */
  async open(): Promise<void> {
    const { docker, stateDir } = this.opts;
    this.opts.emit({ kind: 'opened', progress: this.progress });
    try {
      await docker.ping();
      // What this engine or host lacks for the lab is said now, before anything is built or started.
      const info = await docker.info();
      this.engineLab = await labForEngine(this.opts.lab, info);
      const lab = this.lab;
      const helperImage = await this.opts.prepareImages(
        lab,
        (toBuild) => this.opts.emit({ kind: 'images-plan', toBuild }),
        (event) => this.opts.emit({ kind: 'image', event }),
      );
      this.foreign = await this.adoptSession(readSession(stateDir, lab.id), helperImage);
      const dir = workDir(stateDir, lab);
      // The learner's edits in the working folder survive quitting and coming back; only reset starts it afresh.
      if (!existsSync(dir)) prepareWorkDir(stateDir, lab);
      this.opts.emit({ kind: 'ready', workDir: dir, foreign: this.foreign, lab });
      await this.watch();
      await this.enterStep();
      await this.judge('open');
    } catch (err) {
      this.failed(err);
    }
  }

  /**
   * Opens a live window of `existing` (or of a new session) in this process: whatever holds the lab's names now
   * and is not the lab's stays the learner's for the whole session. Judges from now on within it.
   */
  private async adoptSession(existing: SessionRecord | undefined, helperImage: string): Promise<readonly Resource[]> {
    const { docker, stateDir } = this.opts;
    const lab = this.lab;
    const { foreign } = await survey(docker, lab, existing, { anonymous: false });
    // A local engine shares our clock; only a remote one is asked for its time.
    const skew = docker.endpoint.startsWith('unix://') ? 0 : engineSkew(await docker.info());
    const base = existing ?? newSession(lab.id, 'start', Date.now(), skew);
    this.keeper?.stop(true);
    this.keeper = new SessionKeeper(stateDir, { ...base, preexisting: [...new Set([...base.preexisting, ...foreign.map((r) => r.key)])] });
    const record = this.keeper.start();
    this.ctx = sessionContext(
      withEventLog(docker, () => this.events),
      record,
      helperImage,
      stateDir,
    );
    this.filter = new EventFilter(record.session);
    // What held the lab's names before this window opened still does: no second look is needed, only the reason
    // said in the words of the session it now belongs to.
    const unclaimed = foreignReason('no-session');
    return foreign.map((r) => (r.why === unclaimed ? { ...r, why: foreignReason(r.created - record.skewMs < record.startedAt ? 'before' : 'closed') } : r));
  }

  /** The learner's own things that hold names the lab needs (the one ownership rule: engine/ownership.ts). */
  private async takenNames(): Promise<readonly Resource[]> {
    const { foreign } = await survey(this.opts.docker, this.lab, this.keeper?.record, { anonymous: false });
    return foreign;
  }

  /**
   * The learner confirms that the things holding the lab's names are the lab's after all (made by hand while the
   * runner was closed): they are judged from now on, and reset may remove them.
   */
  async adopt(): Promise<void> {
    if (!this.keeper || this.foreign.length === 0) return;
    const keys = this.foreign.map((r) => r.key);
    this.keeper.update((r) => ({ ...r, adopted: [...new Set([...r.adopted, ...keys])] }));
    await this.judge('key');
  }

  private async watch(): Promise<void> {
    this.stopWatching?.();
    // Every event is also kept in the session's record, which the checks read the past from (engine/event-log.ts).
    const recording = await recordEvents(
      this.opts.docker,
      this.keeper?.record.skewMs ?? 0,
      (e) => {
        const judging = this.judging || Date.now() < this.quietUntil;
        if (!this.filter?.relevant(e, judging)) return;
        this.pendingEventAt ??= Date.now();
        this.debouncer.poke();
      },
      (err) => {
        if (!this.closed) this.engineLost(err?.message ?? 'the event stream ended');
      },
    );
    this.events = recording.log;
    this.stopWatching = recording.stop;
    this.schedulePoll();
  }

  private schedulePoll(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    const ms = this.opts.pollMs ?? 3000;
    if (ms <= 0 || this.closed) return;
    this.pollTimer = setTimeout(async () => {
      if (this.engineUp && !this.running && !this.stepDone()) await this.judge('poll');
      this.schedulePoll();
    }, ms);
    this.pollTimer.unref?.();
  }

  private stepDone(): boolean {
    return this.progress.completed.includes(this.step.id);
  }

  /** Judges every check of the current step, side by side; a step whose checks all pass is saved as done. */
  async judge(cause: JudgeCause, within = false): Promise<boolean> {
    if (!this.ctx || this.closed || !this.engineUp) return false;
    const eventAt = cause === 'event' ? this.pendingEventAt : undefined;
    this.pendingEventAt = undefined;
    const step = this.step;
    const index = this.progress.step;
    const generation = ++this.generation;
    this.judging = true;
    this.opts.emit({ kind: 'judging', cause });
    try {
      const ctx = this.ctx;
      // Never let the learner pass on things that are not the lab's: while the names are held, the checks wait.
      // The ownership survey runs beside the checks (both only read); the checks' results are dropped if it finds any.
      const [foreign, results] = await Promise.all([
        this.takenNames(),
        Promise.all(step.checks.map(async (check) => ({ check, outcome: within ? await judgeWithin(check, ctx) : await judgeOnce(check, ctx) }))),
      ]);
      if (foreign.map((r) => r.key).join() !== this.foreign.map((r) => r.key).join()) {
        this.foreign = foreign;
        this.opts.emit({ kind: 'foreign', foreign });
      }
      if (foreign.length) return false;
      const passed = results.every((r) => r.outcome.pass);
      // A judging that began earlier and ended later carries an older state of the engine: it is dropped.
      if (this.progress.step !== index || this.closed || generation !== this.generation) return passed;
      this.opts.emit({ kind: 'judged', index, cause, results, passed, eventAt });
      if (passed && !this.stepDone()) this.update({ completed: [...this.progress.completed, step.id] });
      return passed;
    } catch (err) {
      this.failed(err);
      return false;
    } finally {
      if (generation === this.generation) {
        this.judging = false;
        this.quietUntil = Date.now() + 300;
      }
    }
  }

  /** Runs the step's commands for the learner (or its solution), streaming output, then judges. */
  async run(what: 'commands' | 'solution' = 'commands'): Promise<boolean> {
    if (this.running || !this.ctx) return false;
    const blocks = what === 'commands' ? this.step.commands : this.step.solution;
    const ok = await this.runBlocks(blocks, what);
    const passed = await this.judge(what === 'commands' ? 'run' : 'solve', true);
    return ok && passed;
  }

  /** Runs the solution and, when the step then passes, moves on. */
  async solve(): Promise<boolean> {
    const passed = await this.run('solution');
    if (passed && this.progress.step < this.lab.steps.length - 1) await this.goTo(this.progress.step + 1);
    return passed;
  }

  private async runBlocks(blocks: readonly CommandBlock[], what: 'commands' | 'solution' | 'setup' | 'cleanup'): Promise<boolean> {
    const abort = new AbortController();
    this.running = abort;
    try {
      for (const block of blocks) {
        this.opts.emit({ kind: 'command', text: block.text, what });
        if (this.opts.typeMs && (what === 'commands' || what === 'solution')) await this.typeOut(block.text, abort.signal);
        const r = await runBlock(block.text, {
          cwd: workDir(this.opts.stateDir, this.lab),
          signal: abort.signal,
          // Output is untrusted (containers print it): control characters are made visible before it is shown.
          onOutput: (_stream, text) => this.opts.emit({ kind: 'output', text: escapeControls(text) }),
        });
        this.opts.emit({ kind: 'command-end', code: r.code, interrupted: abort.signal.aborted });
        if (r.code !== 0 || abort.signal.aborted) return false;
      }
      return true;
    } finally {
      this.running = undefined;
    }
  }

  /** Presenter mode: the command appears a character at a time, as if typed, before it runs. */
  private async typeOut(text: string, signal: AbortSignal): Promise<void> {
    for (let i = 1; i <= text.length && !signal.aborted; i++) {
      this.opts.emit({ kind: 'typing', text: text.slice(0, i) });
      await sleep(text[i - 1] === '\n' ? this.opts.typeMs! * 8 : this.opts.typeMs!);
    }
  }

  /** Stops a running command (its whole process group). */
  interrupt(): boolean {
    if (!this.running) return false;
    this.running.abort();
    return true;
  }

  revealHint(): string | undefined {
    const shown = this.progress.hints[this.step.id] ?? 0;
    const hint = this.step.hints[shown];
    if (hint === undefined) return undefined;
    this.update({ hints: { ...this.progress.hints, [this.step.id]: shown + 1 } });
    return hint;
  }

  async goTo(index: number): Promise<void> {
    if (index < 0 || index >= this.lab.steps.length || index === this.progress.step || this.running) return;
    const leaving = this.step;
    if (index > this.progress.step && this.stepDone() && leaving.cleanup.length) await this.runBlocks(leaving.cleanup, 'cleanup');
    this.update({ step: index });
    this.opts.emit({ kind: 'step', index, progress: this.progress });
    await this.enterStep();
    await this.judge('open');
  }

  private async enterStep(): Promise<void> {
    const step = this.step;
    if (step.setup.length && !this.stepDone() && !this.setUp.has(step.id)) {
      this.setUp.add(step.id);
      await this.runBlocks(step.setup, 'setup');
    }
  }

  /** Removes what the lab made (never the learner's own things) and starts the lab again from step 1. */
  async reset(): Promise<void> {
    if (this.running) return;
    const { docker, stateDir, lab } = this.opts;
    try {
      if (lab.cleanup.length) await this.runBlocks(lab.cleanup, 'cleanup');
      this.keeper?.stop(true);
      this.keeper = undefined;
      const { removed, foreign } = await reclaim(docker, lab, stateDir, { refuseForeign: false });
      if (this.ctx) await this.adoptSession(undefined, this.ctx.helperImage);
      this.foreign = foreign;
      prepareWorkDir(stateDir, lab);
      this.setUp.clear();
      this.progress = freshLab();
      this.opts.saveProgress(this.progress);
      // The step first: it clears the screen's notice, and the reset's own notice must stay to be read.
      this.opts.emit({ kind: 'step', index: 0, progress: this.progress });
      this.opts.emit({ kind: 'reset', removed, foreign });
      await this.enterStep();
      await this.judge('open');
    } catch (err) {
      this.failed(err);
    }
  }

  private update(change: Partial<LabProgress>): void {
    this.progress = { ...this.progress, ...change, updatedAt: Date.now() };
    this.opts.saveProgress(this.progress);
    this.opts.emit({ kind: 'progress', progress: this.progress });
  }

  private failed(err: unknown): void {
    if (err instanceof EngineUnreachableError) this.engineLost(err.message);
    else this.opts.emit({ kind: 'error', message: (err as Error).message });
  }

  /** The engine went away: say so, keep everything, and try again until it answers. */
  private engineLost(message: string): void {
    if (this.closed) return;
    if (this.engineUp) {
      this.engineUp = false;
      this.stopWatching?.();
      this.stopWatching = undefined;
      this.debouncer.cancel();
      this.opts.emit({ kind: 'engine', up: false, message });
    }
    if (this.retryTimer) return;
    const retry = async () => {
      this.retryTimer = undefined;
      if (this.closed) return;
      try {
        await this.opts.docker.ping();
      } catch {
        this.retryTimer = setTimeout(retry, this.opts.engineRetryMs ?? 2000);
        return;
      }
      this.engineUp = true;
      this.opts.emit({ kind: 'engine', up: true });
      if (!this.ctx) await this.open();
      else {
        try {
          await this.watch();
          await this.judge('engine-back');
        } catch (err) {
          this.failed(err);
        }
      }
    };
    this.retryTimer = setTimeout(retry, this.opts.engineRetryMs ?? 2000);
  }

  close(): void {
    this.closed = true;
    // The record stays with its window closed: what was made while the lab was open remains the lab's.
    this.keeper?.stop(true);
    this.running?.abort();
    this.stopWatching?.();
    this.debouncer.cancel();
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }
}
