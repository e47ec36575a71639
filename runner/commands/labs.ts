import { DockerAdapter } from '../docker/adapter.js';
import { reclaim, verifyLab } from '../engine/verify.js';
import type { LabEvent } from '../engine/events.js';
import { eachWithJobs, OrderedEvents } from '../engine/ordered-events.js';
import { describeResource } from '../engine/resources.js';
import { findLab, leftOutText, loadSomeLabsOnDemand, readLabSet, withParserOnDemand } from '../lab/lab-set.js';
import { plural } from '../text/plural.js';
import { REPORTERS } from '../reporters/index.js';
import { UserError } from '../errors.js';
import { preparePrograms } from '../host/run.js';
import { loadCatalog } from '../images/catalog.js';
import { imagesDir } from '../paths.js';
import type { Lab } from '../lab/types.js';
import type { CliContext } from './cli-context.js';
import { imagePreparer } from './context.js';

export async function runList(ctx: CliContext): Promise<number> {
  const { labs, problems } = await withParserOnDemand((parse) => readLabSet(ctx.labsDir, parse));
  if (labs.length === 0 && problems.length === 0) {
    ctx.out(`No labs in ${ctx.labsDir}.\n`);
    return 0;
  }
  const width = Math.max(0, ...labs.map((l) => l.id.length));
  for (const l of labs) ctx.out(`${l.id.padEnd(width)}  ${String(l.durationMinutes).padStart(3)} min  ${String(l.steps.length).padStart(2)} steps  ${l.title}\n`);
  if (labs.length) ctx.out(`\n${plural(labs.length, 'lab')}. Prove one with \`npx lean-labs verify <id>\`.\n`);
  if (problems.length) {
    ctx.err(leftOutText(problems));
    return 2;
  }
  return 0;
}

/** A Docker adapter once its engine has answered; the engine's info is read meanwhile, for verify to find. */
async function connect(): Promise<DockerAdapter> {
  const docker = new DockerAdapter();
  const reachable = docker.ping();
  docker.info().catch(() => undefined);
  preparePrograms();
  await reachable;
  return docker;
}

export async function runVerify(ctx: CliContext, ids: readonly string[], opts: { reporter: string; out?: string; keep: boolean; bail: boolean; jobs?: number; patience?: number }): Promise<number> {
  const Reporter = REPORTERS[opts.reporter];
  if (!Reporter) throw new UserError(`There is no reporter "${opts.reporter}". Use one of: ${Object.keys(REPORTERS).join(', ')}.`);
  // The engine is asked first; the labs and the image catalog are read, and the program runner (zx) loads, while it
  // answers. A lab that is not there is still told first.
  const engine = connect();
  engine.catch(() => undefined);
  await new Promise((sent) => setImmediate(sent));
  const { labs: all, problems } = await loadSomeLabsOnDemand(ctx.labsDir, ids);
  const labs = ids.length ? ids.map((id) => findLab(all, id, ctx.labsDir)) : all;
  const catalog = loadCatalog(imagesDir());
  const docker = await engine;
  const reporter = new Reporter({ write: ctx.out, color: ctx.color, outFile: opts.out });
  // Image progress goes where it cannot spoil machine-read output.
  const say = (line: string) => (opts.reporter === 'plain' ? ctx.out : ctx.err)(`${line}\n`);

  const abort = new AbortController();
  // Labs side by side share their images: one lab's images are made at a time, so none is built twice.
  let imagesTurn: Promise<unknown> = Promise.resolve();
  const prepareOne = imagePreparer(docker, say, ctx.yes, ctx.live && opts.reporter === 'plain', catalog, ctx.class?.imagesLoading);
  const prepareImages = (lab: Lab): Promise<string> => {
    const mine = imagesTurn.then(() => prepareOne(lab));
    imagesTurn = mine.catch(() => undefined);
    return mine;
  };
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      ctx.err('\nStopping after the current command and cleaning up… (Ctrl-C again to quit now; `reset` cleans up later)\n');
      abort.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', onSigint);
  // Labs verified side by side (--jobs) report in lab order: their names and projects are disjoint, which the
  // parser holds every lab set to, so no lab's checks or clean-up can see another's things.
  const ordered = new OrderedEvents<LabEvent>(labs.length, (e) => reporter.onEvent(e));
  try {
    let bailed = false;
    await eachWithJobs(labs, opts.jobs ?? 1, async (lab, i) => {
      const emit = ordered.emitter(i);
      try {
        if (abort.signal.aborted || bailed) {
          emit({ kind: 'lab-end', lab, ok: false, ms: 0 });
          return;
        }
        const result = await verifyLab(lab, { docker, stateDir: ctx.stateDir, emit, keep: opts.keep, bail: opts.bail, signal: abort.signal, prepareImages, patience: opts.patience });
        if (!result.ok && opts.bail) bailed = true;
        if (opts.keep) say(`  kept what ${lab.id} made; \`npx lean-labs reset ${lab.id}\` removes it.`);
      } finally {
        ordered.end(i);
      }
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  const failed = reporter.finish();
  // Labs left out for their mistakes fail the run (when all were asked for), told after the report.
  if (problems.length && ids.length === 0) {
    ctx.err(leftOutText(problems));
    return 2;
  }
  return failed > 0 || abort.signal.aborted ? 1 : 0;
}

export async function runReset(ctx: CliContext, id: string): Promise<number> {
  const lab = findLab((await loadSomeLabsOnDemand(ctx.labsDir, [id])).labs, id, ctx.labsDir);
  const docker = new DockerAdapter();
  await docker.ping();
  const { removed, foreign } = await reclaim(docker, lab, ctx.stateDir, { refuseForeign: false });
  ctx.out(removed.length ? `Removed ${removed.map(describeResource).join(', ')}.\n` : `Lab ${lab.id} left nothing behind.\n`);
  if (foreign.length)
    ctx.out(
      `Left alone, because lean-labs did not make them: ${foreign.map(describeResource).join(', ')}.\n` +
        `  The lab needs these names free: rename or remove them yourself before starting ${lab.id}.\n`,
    );
  return 0;
}
