import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';
import { cacheHash } from '../text/hash.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab } from './types.js';

/**
 * Parsed labs, kept by the hash of their text and of the parser's own files: parsing every check block of every
 * lab with line positions costs ~150 ms, which the runner's first frame cannot spare. A changed lab or a changed
 * lean-labs gives a new key, so a stale entry is never read.
 */
let parserKey: string | undefined;

function codeKey(): string {
  if (parserKey) return parserKey;
  const here = dirname(fileURLToPath(import.meta.url));
  let stats = '';
  for (const dir of [here, join(here, '..', 'checks', 'kinds'), join(here, '..', 'checks')]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.js') && !f.endsWith('.ts')) continue;
      const st = statSync(join(dir, f));
      stats += `${dir}/${f}:${st.size}:${st.mtimeMs}\n`;
    }
  }
  parserKey = cacheHash(stats);
  return parserKey;
}

/** The key of a lab's cache entry: the parser's code, where the lab is, and the bytes of its file. */
export function labCacheKey(file: string, dir: string, bytes: Uint8Array): string {
  return cacheHash(`${codeKey()}\0${file}\0${dir}\0${cacheHash(bytes)}`);
}

export function readCachedLab(cacheDir: string | undefined, key: string): Lab | undefined {
  if (!cacheDir) return undefined;
  try {
    return JSON.parse(readFileSync(join(cacheDir, `${key}.json`), 'utf8')) as Lab;
  } catch {
    return undefined;
  }
}

export function writeCachedLab(cacheDir: string | undefined, key: string, lab: Lab): void {
  if (!cacheDir) return;
  try {
    writeFileAtomic(join(cacheDir, `${key}.json`), JSON.stringify(lab));
  } catch {
    // A cache that cannot be written only costs time.
  }
}
