import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
// The string-width Ink measures with (8.x, the project's own dependency too).
import realWidth from 'string-width';
import { fasterGraphemes } from '../../build/graphemes/plugin.mjs';

const ROOT = join(import.meta.dirname, '../..');

interface Bundled {
  width: (s: string, o?: object) => number;
  Intl: typeof Intl;
}

/** Bundles a module that imports string-width and makes Segmenters, with the plugin the program is built with. */
let bundled: Bundled;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'll-graphemes-'));
  const out = join(dir, 'probe.mjs');
  // What Ink's modules get in the program: string-width through the plugin, and the Intl it gives the modules that
  // make a Segmenter (the build fails if it gave it to none).
  await build({
    stdin: {
      contents: `import width from 'string-width';\nexport { Intl } from ${JSON.stringify(join(ROOT, 'build/graphemes/intl.cjs'))};\nexport { width };`,
      resolveDir: join(ROOT, 'node_modules/ink'),
      sourcefile: 'probe.mjs',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: out,
    logLevel: 'silent',
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    plugins: [fasterGraphemes('node_modules/ink', ROOT)],
  });
  bundled = (await import(pathToFileURL(out).href)) as Bundled;
}, 60_000);

const PIECES = [
  'a',
  'Z',
  ' ',
  '~',
  '0',
  'é',
  'ß',
  '—',
  '…',
  '✓',
  '✗',
  '›',
  '│',
  '─',
  '█',
  '•',
  '°',
  '€',
  '¿',
  'ñ',
  '中',
  '文',
  '한',
  '가',
  'ア',
  'ｱ',
  'ﾞ',
  'Ａ',
  '\u3000',
  '\u0301',
  '\u0308',
  '\u200d',
  '\ufe0f',
  '\u200b',
  '\u00ad',
  '\u0600',
  '\u094d',
  'क',
  'ष',
  '\u1100',
  '\u1161',
  '\u11a8',
  '😀',
  '👍🏽',
  '❤',
  '❤️',
  '👨‍👩‍👧',
  '🇩🇪',
  '1\u20e3',
  '⌚',
  '☀',
  '\n',
  '\r\n',
  '\r',
  '\t',
  '\x1b[31m',
  '\x1b[0m',
  '\x7f',
  '\x85',
  '\ud800',
];

function randomString(rand: () => number): string {
  let s = '';
  const n = 1 + Math.floor(rand() * 12);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(rand() * PIECES.length)];
  return s;
}

/** A seeded generator, so a failure names a case that comes back. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const segments = (seg: Intl.Segmenter, s: string) => [...seg.segment(s)].map((x) => [x.segment, x.index]);

describe("the bundle's string-width and grapheme Segmenter", () => {
  it('measure every string as string-width does', () => {
    const rand = mulberry32(1);
    for (const s of [...PIECES, ...Array.from({ length: 5000 }, () => randomString(rand))]) expect(bundled.width(s), JSON.stringify(s)).toBe(realWidth(s));
    expect(bundled.width('ab中', { ambiguousIsNarrow: false })).toBe(realWidth('ab中', { ambiguousIsNarrow: false }));
    expect(bundled.width('\x1b[31mab\x1b[0m', { countAnsiEscapeCodes: true })).toBe(realWidth('\x1b[31mab\x1b[0m', { countAnsiEscapeCodes: true }));
  });

  it('split every string into the graphemes ICU finds', () => {
    const rand = mulberry32(2);
    const ours = new bundled.Intl.Segmenter(undefined, { granularity: 'grapheme' });
    const icu = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    for (const s of [...PIECES, ...Array.from({ length: 5000 }, () => randomString(rand))]) {
      expect(segments(ours, s), JSON.stringify(s)).toEqual(segments(icu, s));
      for (const i of [-1, 0, Math.floor(s.length / 2), s.length - 1, s.length]) {
        const a = ours.segment(s).containing(i);
        const b = icu.segment(s).containing(i);
        expect(a && [a.segment, a.index], `${JSON.stringify(s)} at ${i}`).toEqual(b && [b.segment, b.index]);
      }
    }
  });

  it('leave word and sentence Segmenters to ICU', () => {
    const words = new bundled.Intl.Segmenter('en', { granularity: 'word' });
    expect([...words.segment('two words')].map((x) => x.segment)).toEqual(['two', ' ', 'words']);
    expect(words.resolvedOptions().granularity).toBe('word');
    expect(bundled.Intl.NumberFormat).toBe(Intl.NumberFormat);
  });
});
