import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LabFormatError } from '../../runner/lab/errors.js';
import { parseLab } from '../../runner/lab/parse.js';
import { parseDeck } from '../../runner/slides/deck.js';
import { serveDeck } from '../../runner/slides/site.js';

/** A small seeded generator (mulberry32): every run feeds the same cases, and a failure names its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const labsDir = join(import.meta.dirname, '../../labs');
const sources = readdirSync(labsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => ({ id: d.name, text: readFileSync(join(labsDir, d.name, 'lab.md'), 'utf8') }));

/** One random change of the kinds an editor, a bad merge or a broken download makes. */
function mutate(text: string, r: () => number): string {
  const lines = text.split('\n');
  const at = () => Math.floor(r() * lines.length);
  switch (Math.floor(r() * 8)) {
    case 0: // truncate anywhere
      return text.slice(0, Math.floor(r() * text.length));
    case 1: // delete a run of lines
      lines.splice(at(), 1 + Math.floor(r() * 6));
      return lines.join('\n');
    case 2: {
      // swap a fence for another kind, or drop it
      const fences = lines.flatMap((l, i) => (/^\s*(```|~~~)/.test(l) ? [i] : []));
      const i = fences[Math.floor(r() * fences.length)];
      if (i !== undefined) lines[i] = ['~~~', '```', '', '````', '```check'][Math.floor(r() * 5)]!;
      return lines.join('\n');
    }
    case 3: {
      // random bytes, control characters included
      const pos = Math.floor(r() * text.length);
      const junk = Array.from({ length: 1 + Math.floor(r() * 12) }, () => String.fromCharCode(Math.floor(r() * 0x3000))).join('');
      return text.slice(0, pos) + junk + text.slice(pos);
    }
    case 4: {
      // duplicate a line elsewhere
      lines.splice(at(), 0, lines[at()] ?? '');
      return lines.join('\n');
    }
    case 5: {
      // break indentation of YAML
      const i = at();
      lines[i] = r() < 0.5 ? ` ${lines[i]}` : (lines[i] ?? '').trimStart();
      return lines.join('\n');
    }
    case 6: {
      // swap two lines
      const i = at();
      const j = at();
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join('\n');
    }
    default: // CRLF line endings or a BOM
      return r() < 0.5 ? text.replace(/\n/g, '\r\n') : `\ufeff${text}`;
  }
}

describe('lab parser fuzz (seeded)', () => {
  it('ends every mutated bundled lab in a parsed lab or a file:line error, never a crash', () => {
    const CASES = 4000;
    let parsed = 0;
    let rejected = 0;
    for (let seed = 1; seed <= CASES; seed++) {
      const r = rng(seed);
      const src = sources[seed % sources.length]!;
      let text = src.text;
      for (let n = 1 + Math.floor(r() * 3); n > 0; n--) text = mutate(text, r);
      try {
        parseLab(text, `${src.id}/lab.md`, join(labsDir, src.id));
        parsed++;
      } catch (err) {
        if (!(err instanceof LabFormatError)) throw new Error(`seed ${seed} (${src.id}) crashed the parser: ${(err as Error).stack}`);
        expect(err.message, `seed ${seed}`).toMatch(new RegExp(`^${src.id}/lab\\.md:\\d+: `));
        expect(err.line, `seed ${seed}`).toBeGreaterThanOrEqual(1);
        rejected++;
      }
    }
    expect(parsed + rejected).toBe(CASES);
    // The mutations must exercise both outcomes, or the fuzz proves little.
    expect(parsed).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(1000);
  }, 120_000);
});

/** One raw request; resolves with the status line (or '' when the server closed without answering). */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let got = '';
    sock.setTimeout(3000, () => reject(new Error(`no answer to ${JSON.stringify(text.slice(0, 80))}`)));
    sock.on('data', (d) => (got += d.toString('latin1')));
    sock.on('error', () => resolve(got.split('\r\n')[0] ?? ''));
    sock.on('close', () => resolve(got.split('\r\n')[0] ?? ''));
    sock.end(text);
  });
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

describe('slides server fuzz (loopback, bounded)', () => {
  it('answers every malformed path, method and header, and is alive at the end', async () => {
    const deck = parseDeck('---\nid: d\ntitle: A deck\nsummary: S\n---\n\n# One\n', 'd.md', []);
    const { server, url } = await serveDeck(deck, []);
    const port = Number(new URL(url).port);
    try {
      const r = rng(20261124);
      const pieces = ['%', '%E0%A4%A', '%00', '%2e%2e/', '../', '..%2f', '/etc/passwd', '%C0%AE', '?', '#', '//', '\\', '%%', '%zz', 'index.html', 'labs/'];
      const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'BREW', 'G\u0000T'];
      const REQUESTS = 300;
      const statuses = new Map<string, number>();
      for (let i = 0; i < REQUESTS; i++) {
        const path = `/${Array.from({ length: 1 + Math.floor(r() * 4) }, () => pieces[Math.floor(r() * pieces.length)]).join('')}`;
        const method = methods[Math.floor(r() * methods.length)]!;
        const header = r() < 0.2 ? `X-Junk: ${String.fromCharCode(...Array.from({ length: 20 }, () => Math.floor(r() * 256)))}\r\n` : '';
        const line = await raw(port, `${method} ${path} HTTP/1.1\r\nHost: x\r\n${header}Connection: close\r\n\r\n`);
        const status = /^HTTP\/1\.1 (\d{3})/.exec(line)?.[1] ?? 'closed';
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        // Never a 2xx for a path outside the deck's pages, and never a 500.
        if (status.startsWith('2')) expect(['/', '/index.html', '/?', '/#'].some((p) => path.startsWith(p))).toBe(true);
        expect(status).not.toBe('500');
      }
      expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS);
      expect(await get(port, '/%')).toBe(400);
      expect(await get(port, '/%E0%A4%A')).toBe(400);
      expect(await get(port, '/../../etc/passwd')).toBe(404);
      expect(await get(port, '/')).toBe(200);
    } finally {
      server.close();
    }
  }, 60_000);
});
