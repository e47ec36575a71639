import { existsSync, watch } from 'node:fs';
import { join } from 'node:path';
import { DockerAdapter } from '../docker/adapter.js';
import { verifyLab } from '../engine/verify.js';
import { LabsFormatError, loadSomeLabs } from '../lab/load.js';
import type { Lab } from '../lab/types.js';
import { PlainReporter } from '../reporters/plain.js';
import { summaryLine, Tally, type TestCase } from '../reporters/tally.js';
import { UserError } from '../errors.js';
import type { CliContext } from './cli-context.js';
import { imagePreparer } from './context.js';

/** What changed between two runs of a lab: cases whose verdict or message moved, and cases that came or went. */
export function changedCases(before: readonly TestCase[], after: readonly TestCase[]): string[] {
  const old = new Map(before.map((c) => [c.name, c]));
  const now = new Map(after.map((c) => [c.name, c]));
  const lines: string[] = [];
  for (const c of after) {
    const was = old.get(c.name);
    const verdict = c.status === 'passed' ? '✓' : c.status === 'failed' ? '✗' : '-';
    const detail = c.message ? `\n${c.message.replace(/^/gm, '      ')}` : '';
    if (!was) lines.push(`  new    ${verdict} ${c.name}${detail}`);
    else if (was.status !== c.status) lines.push(`  ${c.status === 'passed' ? 'fixed ' : c.status === 'failed' ? 'broken' : 'skipped'} ${verdict} ${c.name}${detail}`);
    else if (c.status === 'failed' && was.message !== c.message) lines.push(`  still  ${verdict} ${c.name}, now:${detail}`);
  }
  for (const c of before) if (!now.has(c.name)) lines.push(`  gone     ${c.name}`);
  return lines;
}

/**
 * `verify <lab> --watch`: proves the lab, then again each time a file of its folder changes, showing only what
 * changed since the last run (the first run is reported in full). Ctrl-C stops.
 */
export async function runVerifyWatch(ctx: CliContext, ids: readonly string[]): Promise<number> {
  if (ids.length !== 1) throw new UserError('--watch follows one lab: name it, e.g. `npx lean-labs verify my-lab --labs ./labs --watch`.', 2);
  const id = ids[0]!;
  const docker = new DockerAdapter();
  await docker.ping();
  const prepareImages = imagePreparer(docker, (l) => ctx.out(`${l}\n`), ctx.yes, false, undefined, ctx.class?.imagesLoading);
  let previous: TestCase[] | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  const abort = new AbortController();

  const once = async (why: string) => {
    let lab: Lab;
    try {
      lab = loadSomeLabs(ctx.labsDir, [id]).labs.find((l) => l.id === id)!;
      if (!lab) throw new UserError(`There is no lab "${id}" in ${ctx.labsDir}.`);
    } catch (err) {
      if (!(err instanceof LabsFormatError) && !(err instanceof UserError)) throw err;
      ctx.out(`\n── ${why}: the lab does not parse ──\n${(err as Error).message}\n(waiting for the next change)\n`);
      return;
    }
    const tally = new Tally();
    const full = previous === undefined ? new PlainReporter({ write: ctx.out, color: ctx.color }) : undefined;
    if (!full) ctx.out(`\n── ${why}: verifying ${id} again ──\n`);
    const t0 = Date.now();
    await verifyLab(lab, {
      docker,
      stateDir: ctx.stateDir,
      emit: (e) => {
        tally.feed(e);
        full?.onEvent(e);
      },
      signal: abort.signal,
      prepareImages,
    });
    if (full) full.finish();
    else {
      const lines = changedCases(previous!, tally.cases);
      ctx.out(lines.length ? `${lines.join('\n')}\n` : '  nothing changed\n');
      ctx.out(`${summaryLine(tally.counts())} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
    }
    previous = tally.cases;
    ctx.out(`Watching ${ctx.labsDir}/${id} for changes (Ctrl-C stops).\n`);
  };

  const kick = (why: string) => {
    if (running) {
      again = true;
      return;
    }
    running = once(why).finally(() => {
      running = undefined;
      if (again) {
        again = false;
        kick('more changes');
      }
    });
  };

  await once('first run');
  let timer: NodeJS.Timeout | undefined;
  let last = '';
  const watcher = watch(`${ctx.labsDir}/${id}`, { recursive: true }, (_event, file) => {
    // Editors and sed write through temporary files that are gone by now: name only a file that is there.
    last = file && existsSync(join(ctx.labsDir, id, String(file))) ? String(file) : 'its files';
    if (timer) clearTimeout(timer);
    // Editors write a file in several steps: wait for them to settle.
    timer = setTimeout(() => kick(`${last} changed`), 300);
  });
  return new Promise<number>((resolve) => {
    const stop = () => {
      watcher.close();
      if (timer) clearTimeout(timer);
      abort.abort();
      ctx.err('\nStopped watching; cleaning up what the lab made…\n');
      void (running ?? Promise.resolve()).finally(() => resolve(previous?.some((c) => c.status === 'failed') ? 1 : 0));
    };
    process.once('SIGINT', stop);
  });
}
