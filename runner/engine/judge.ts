import { CHECK_KINDS } from '../checks/registry.js';
import { flapping } from '../checks/flapping.js';
import type { CheckContext, CheckKind, CheckOutcome } from '../checks/types.js';
import { EngineUnreachableError } from '../docker/errors.js';
import type { DockerPort } from '../docker/port.js';
import type { CheckSpec } from '../lab/types.js';
import { escapeControls } from '../text/controls.js';
import { runnerLabels } from './labels.js';
import { CLOCK_SLACK_MS } from './ownership.js';
import { sessionMeasurements } from './measurements.js';
import type { SessionRecord } from './session.js';
import { workDirFor } from './workdir.js';

const POLL_MS = 150;

/** What the checks of one session of a lab are judged with: its labels for helpers, and when it began. */
export function sessionContext(docker: DockerPort, session: SessionRecord, helperImage: string, stateDir: string): CheckContext {
  return {
    docker,
    labels: runnerLabels(session.lab, session.session),
    helperImage,
    since: session.startedAt - CLOCK_SLACK_MS,
    // On the engine's clock, as the events it reports are.
    opened: session.startedAt + session.skewMs,
    measurements: sessionMeasurements(stateDir, session.lab, session.session),
    workDir: workDirFor(stateDir, session.lab),
  };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long a moving figure must stay the same to count: longer than a restart loop's early back-off steps. */
export const SETTLE_MS = 700;

/**
 * Judges one check once. A Docker error while judging is the learner's failure to read about (for example
 * "no such container"), except a dead engine, which stops the run. A pass counts only on a settled state, as the
 * kind describes it (`settles`): none of its containers restarting, and a moving figure the same SETTLE_MS later.
 */
export async function judgeOnce(spec: CheckSpec, ctx: CheckContext): Promise<CheckOutcome> {
  const kind = CHECK_KINDS.get(spec.kind);
  if (!kind) throw new Error(`unknown check kind ${spec.kind}`);
  return judgeSettled(kind, spec, ctx);
}

/** judgeOnce for a given kind (tests hand it a kind whose engine moves between readings). */
export async function judgeSettled(kind: CheckKind, spec: CheckSpec, ctx: CheckContext): Promise<CheckOutcome> {
  const first = await judgeRaw(kind, spec, ctx);
  if (!first.pass) return first;
  const settling = kind.settles(spec.fields);
  const unsettled = (why: string): CheckOutcome => ({ ...first, pass: false, found: escapeControls(`${first.found}, but ${why}`) });
  const restarting = async (): Promise<string | undefined> => {
    for (const name of settling.containers) {
      const c = await ctx.docker.inspectContainer(name);
      const why = c && flapping(c);
      if (why) return `container ${name}: ${why}, so this is still changing`;
    }
    return undefined;
  };
  const before = await restarting();
  if (before) return unsettled(before);
  if (!settling.repeat) return first;
  await sleep(ctx.settleMs ?? SETTLE_MS);
  const again = await judgeRaw(kind, spec, ctx);
  if (!again.pass || again.found !== first.found) return again.pass ? unsettled(`a moment later it was: ${again.found}`) : again;
  const after = await restarting();
  return after ? unsettled(after) : again;
}

async function judgeRaw(kind: CheckKind, spec: CheckSpec, ctx: CheckContext): Promise<CheckOutcome> {
  let outcome: CheckOutcome;
  try {
    outcome = await kind.evaluate(spec.fields, ctx);
  } catch (err) {
    if (err instanceof EngineUnreachableError) throw err;
    outcome = { pass: false, expected: kind.describe(spec.fields), found: (err as Error).message };
  }
  // What a check found often quotes container output: no front-end or reporter may receive it raw.
  return { ...outcome, expected: escapeControls(outcome.expected), found: escapeControls(outcome.found) };
}

/** Re-judges a check until it passes or `withinMs` is spent; returns the last outcome. */
export async function judgeWithin(spec: CheckSpec, ctx: CheckContext, withinMs = spec.withinMs, signal?: AbortSignal): Promise<CheckOutcome> {
  return (await judgeUntil(spec, ctx, withinMs, signal)).outcome;
}

/** judgeWithin, also telling how many judgements it took (1: it passed, or gave up, at once). */
export async function judgeUntil(spec: CheckSpec, ctx: CheckContext, withinMs = spec.withinMs, signal?: AbortSignal): Promise<{ outcome: CheckOutcome; attempts: number }> {
  const deadline = Date.now() + withinMs;
  for (let attempts = 1; ; attempts++) {
    const outcome = await judgeOnce(spec, ctx);
    if (outcome.pass || Date.now() >= deadline || signal?.aborted) return { outcome, attempts };
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
  }
}

/** What the learner reads when a check fails. */
export function failureText(spec: CheckSpec, outcome: CheckOutcome): string {
  return `expected ${outcome.expected}, but ${outcome.found}${spec.message ? `\n${spec.message}` : ''}`;
}
