import { DockerAdapter } from '../docker/adapter.js';
import { engineDown, engineUp } from '../host/engine.js';
import { bootstrapBase } from '../images/base.js';
import { buildOrder, loadCatalog } from '../images/catalog.js';
import { ensureImages } from '../images/ensure.js';
import { readLabSet } from '../lab/load.js';
import type { Lab } from '../lab/types.js';
import { plural } from '../text/plural.js';
import { imagesDir } from '../paths.js';
import { formatSize } from '../checks/values.js';
import { UserError } from '../errors.js';
import type { CliContext } from './cli-context.js';
import { diagnose } from './doctor.js';
import { imageProgress } from './context.js';

export async function runDoctor(ctx: CliContext): Promise<number> {
  // The labs only tell doctor which run on this engine: a folder with mistakes still gets its diagnosis.
  let labs: Lab[] = [];
  try {
    labs = readLabSet(ctx.labsDir).labs;
  } catch (err) {
    // No labs folder (or not a folder): the engine's diagnosis stands alone.
    if (!(err instanceof UserError)) throw err;
  }
  const findings = await diagnose(new DockerAdapter(), imagesDir(), labs);
  for (const f of findings) {
    const mark = f.ok ? '✓' : f.warn ? '!' : '✗';
    ctx.out(`${mark} ${f.what}\n`);
    if (f.fix && !f.ok) ctx.out(`  → ${f.fix}\n`);
  }
  const bad = findings.filter((f) => !f.ok && !f.warn).length;
  ctx.out(bad ? `\n${plural(bad, 'problem')} to fix before the labs can run.\n` : '\nReady for the labs.\n');
  return bad ? 1 : 0;
}

export async function runEngine(ctx: CliContext, action: 'up' | 'down', opts: { purge: boolean }): Promise<number> {
  const host = { say: (l: string) => ctx.out(`${l}\n`), confirm: ctx.confirm, stateDir: ctx.stateDir };
  const message = action === 'up' ? await engineUp(new DockerAdapter(), host, { yes: ctx.yes }) : await engineDown(host, { purge: opts.purge, yes: ctx.yes });
  ctx.out(`${message}\n`);
  return 0;
}

export async function runImages(ctx: CliContext, args: readonly string[], opts: { rebuild: boolean }): Promise<number> {
  const docker = new DockerAdapter();
  const catalog = loadCatalog(imagesDir());
  const [sub = 'list', ...names] = args;
  await docker.ping();
  if (sub === 'bootstrap') {
    await bootstrapBase(docker, (l) => ctx.out(`${l}\n`), { allowInstall: ctx.yes });
    return 0;
  }
  if (sub === 'build') {
    const t0 = Date.now();
    const wanted = names.length ? names : [...catalog.keys()];
    const progress = await imageProgress(
      buildOrder(catalog, wanted).map((d) => d.name),
      (l) => ctx.out(`${l}\n`),
      ctx.live,
    );
    try {
      await ensureImages(docker, catalog, wanted, { rebuild: opts.rebuild, allowInstall: ctx.yes, onEvent: (e) => progress.onEvent(e) });
    } finally {
      progress.finish();
    }
    ctx.out(`Images ready in ${((Date.now() - t0) / 1000).toFixed(1)} s.\n`);
    return 0;
  }
  if (sub !== 'list') throw new UserError(`"images ${sub}" is not a command. Use images, images build [name...] or images bootstrap.`);
  // The image list is still worth showing when a lab file is broken: the well-formed labs name their users.
  let labs: Lab[] = [];
  try {
    labs = readLabSet(ctx.labsDir).labs;
  } catch {
    // No labs folder at all: the images are listed without users.
  }
  const width = Math.max(...[...catalog.keys()].map((n) => n.length));
  for (const def of catalog.values()) {
    const img = await docker.inspectImage(def.tag);
    const users = labs.filter((l) => l.images.includes(def.name)).map((l) => l.id);
    ctx.out(`${def.name.padEnd(width)}  ${img ? `present ${formatSize(img.size).padStart(8)}` : 'missing         '}  ${def.tag}  ${users.length ? `used by ${users.join(', ')}` : ''}\n`);
  }
  return 0;
}
