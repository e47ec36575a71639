/**
 * An esbuild plugin that spares the runner's start ICU's grapheme rules and string-width's emoji expression for text
 * that needs neither (see simple.cjs): every import of string-width takes string-width.cjs, and every bundled ES
 * module that makes an Intl.Segmenter sees intl.cjs's `Intl`. The table of simple characters is made here, from
 * the string-width stood in for.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { widthRuns } from './table.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const WRAPPER = join(HERE, 'string-width.cjs');
const INTL = join(HERE, 'intl.cjs');

/** `from`: the package folder whose string-width (and strip-ansi) is the one stood in for. */
export function fasterGraphemes(from, root = process.cwd()) {
  const fromDir = join(root, from);
  let patched = 0;
  return {
    name: 'faster-graphemes',
    setup(b) {
      b.onResolve({ filter: /^lean-labs:grapheme-table$/ }, () => ({ path: 'table', namespace: 'grapheme-table' }));
      b.onLoad({ filter: /.*/, namespace: 'grapheme-table' }, async () => {
        const real = await b.resolve('string-width', { resolveDir: fromDir, kind: 'import-statement', pluginData: { fastWidth: true } });
        if (real.errors.length) throw new Error(`string-width is not installed under ${from}: run npm ci`);
        return { contents: `module.exports = ${JSON.stringify(await widthRuns(real.path))};`, loader: 'js' };
      });
      b.onResolve({ filter: /^(string-width|strip-ansi)$/ }, async (a) => {
        if (a.pluginData?.fastWidth || a.pluginData?.oneCopy) return undefined;
        if (a.importer !== WRAPPER) return a.path === 'string-width' ? { path: WRAPPER } : undefined;
        // The wrapper's own: as the package it stands in for sees them.
        return b.resolve(a.path, { resolveDir: fromDir, kind: a.kind, importer: a.importer, pluginData: { fastWidth: true } });
      });
      b.onLoad({ filter: /[\\/]node_modules[\\/].*\.m?js$/ }, async (a) => {
        const text = await readFile(a.path, 'utf8');
        if (!text.includes('new Intl.Segmenter') || !/^\s*(import|export)\s/m.test(text)) return undefined;
        patched++;
        return { contents: `import { Intl } from ${JSON.stringify(INTL)};\n${text}`, loader: 'js', resolveDir: dirname(a.path) };
      });
      b.onEnd((r) => {
        if (!r.errors.length && patched === 0) throw new Error('faster-graphemes: no bundled module makes an Intl.Segmenter any more; drop intl.cjs from the build');
      });
    },
  };
}
