import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Lab } from '../lab/types.js';
import type { Deck } from './deck.js';
import { renderDeck, renderLabPage } from './render.js';

/** The pages of one deck: the deck itself and a page per lab it hands on to. */
export function deckPages(deck: Deck, labs: readonly Lab[]): Map<string, string> {
  const pages = new Map<string, string>();
  pages.set('index.html', renderDeck(deck, labs, (id) => `labs/${id}.html`));
  for (const id of new Set(deck.slides.flatMap((s) => (s.lab ? [s.lab] : [])))) {
    const lab = labs.find((l) => l.id === id);
    if (lab) pages.set(`labs/${id}.html`, renderLabPage(lab));
  }
  return pages;
}

/** Writes a self-contained copy that works from file:// with no network. Returns the files written. */
export function exportDeck(deck: Deck, labs: readonly Lab[], outDir: string): string[] {
  const written: string[] = [];
  for (const [path, html] of deckPages(deck, labs)) {
    const file = join(outDir, path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, html);
    written.push(file);
  }
  return written;
}

/** Serves a deck on localhost (127.0.0.1 only); resolves with the server and its URL. */
export function serveDeck(deck: Deck, labs: readonly Lab[], port = 0): Promise<{ server: Server; url: string }> {
  const pages = deckPages(deck, labs);
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!.split('#')[0]!).replace(/^\/+/, '') || 'index.html';
    const page = pages.get(path);
    if (!page || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Not found: /${path}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const addr = server.address();
      const p = typeof addr === 'object' && addr ? addr.port : port;
      resolve({ server, url: `http://127.0.0.1:${p}/` });
    });
  });
}
