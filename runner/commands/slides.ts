import { join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { runProcess } from '../host/run.js';
import { loadLabs } from '../lab/load.js';
import { packageRoot } from '../paths.js';
import { findDeck, loadDecks } from '../slides/deck.js';
import { exportDeck, serveDeck } from '../slides/site.js';
import type { CliContext } from './cli-context.js';

export const slidesDir = (): string => join(packageRoot(), 'slides');

/** `lean-labs slides [deck] [--out dir] [--port n] [--open]`. */
export async function runSlides(ctx: CliContext, args: readonly string[], opts: { out?: string; port?: string; open: boolean }): Promise<number> {
  const labs = loadLabs(ctx.labsDir);
  const decks = loadDecks(
    slidesDir(),
    labs.map((l) => l.id),
  );
  if (args.length === 0) {
    const width = Math.max(...decks.map((d) => d.id.length));
    for (const d of decks) ctx.out(`${d.id.padEnd(width)}  ${String(d.slides.length).padStart(3)} slides  ${d.title}\n`);
    ctx.out(`\n${decks.length} decks. Present one with \`npx lean-labs slides <deck>\`; \`--out <dir>\` writes a copy to share.\n`);
    return 0;
  }
  if (args.length > 1) throw new UserError('Name one deck, e.g. `npx lean-labs slides intro`.');
  const deck = findDeck(decks, args[0]!);
  if (opts.out) {
    const out = resolve(opts.out);
    const files = exportDeck(deck, labs, out);
    ctx.out(`Wrote ${files.length} files to ${out}. Open ${join(out, 'index.html')} in a browser (no network needed); print it for a PDF, one slide per page.\n`);
    return 0;
  }
  const port = opts.port === undefined ? 0 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port ${opts.port} is not a port number.`);
  const { server, url } = await serveDeck(deck, labs, port).catch((err: NodeJS.ErrnoException) => {
    throw new UserError(err.code === 'EADDRINUSE' ? `Port ${port} is taken: pick another with --port, or leave it out for a free one.` : err.message);
  });
  ctx.out(
    `Presenting "${deck.title}" (${deck.slides.length} slides) at ${url}\n` +
      '  Keys: → / Space next, ← previous, Home / End, a number then Enter to jump, s opens the presenter view.\n' +
      '  Ctrl-C stops the server.\n',
  );
  if (opts.open)
    void runProcess('xdg-open', [url], { timeoutMs: 30_000 }).then((r) => {
      if (r.code !== 0) ctx.err(`Could not open a browser; open ${url} yourself.\n`);
    });
  await new Promise<void>((done) => {
    const stop = () => {
      server.close();
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
