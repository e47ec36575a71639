import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Lab } from '../lab/types.js';
import type { Deck } from './deck.js';
import { renderDeck, renderLabPage } from './render.js';

/** The pages of one deck: the deck itself and a page per lab it hands on to. */
export function deckPages(deck: Deck, labs: readonly Lab[]): Map<string, string> {
  const pages = new Map<string, string>();
  pages.set(
    'index.html',
    renderDeck(deck, labs, (id) => `labs/${id}.html`),
  );
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
    // No request may stop the server: a path that does not decode gets 400, anything unforeseen a 500.
    try {
      answer(pages, req.method ?? '', req.url ?? '/', res);
    } catch {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The slides server could not answer this request.\n');
    }
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

/** Answers one request from the deck's pages: only GET (and HEAD) of a page that exists. */
function answer(pages: ReadonlyMap<string, string>, method: string, url: string, res: ServerResponse): void {
  const text = (status: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(method === 'HEAD' ? undefined : body);
  };
  if (method !== 'GET' && method !== 'HEAD') return text(405, `${method} is not served here; the slides answer GET.\n`, { allow: 'GET, HEAD' });
  let path: string;
  try {
    path = decodeURIComponent(url.split('?')[0]!.split('#')[0]!).replace(/^\/+/, '') || 'index.html';
  } catch {
    return text(400, 'Bad request: the path is not valid percent-encoding.\n');
  }
  // Pages come from a fixed map, so no path (../ or otherwise) can reach the file system.
  const page = pages.get(path);
  if (page === undefined) return text(404, `Not found: /${JSON.stringify(path).slice(1, -1)}\n`);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(method === 'HEAD' ? undefined : page);
}
