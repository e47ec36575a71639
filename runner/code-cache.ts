import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { writeFileAtomic } from './atomic-file.js';
import { cacheHash } from './text/hash.js';

/**
 * Runs the program's bundle (dist/lean-labs-main.js) with V8's code cache, on every Node version we support.
 *
 * Compiling the 1.2 MB bundle is the largest single cost of starting lean-labs, and Node 20 has no compile cache
 * for modules. So the bundle is built as the body of one async function (its Node built-ins reached through the
 * `__nodeRequire` it is given, `import.meta.url` through `__importMetaUrl`), compiled here as a script with the
 * code V8 produced last time, and the cache is written again whenever V8 had none or refused it (another Node, other
 * flags). V8 checks its version and flags but only the source's length, so the file name carries the build's own
 * hash: a new build never runs an old build's code.
 */
export interface CachedBundle {
  /** Runs the program. */
  run(launcher?: Launcher): Promise<void>;
  /**
   * Writes the code cache when there was none or V8 refused it: when the program is over, or once what a start
   * needs is compiled. Before any V8 flag is changed: V8 takes code only under the flags it was made with.
   */
  saveIfNeeded(): void;
  /** Whether V8 took the cached code. */
  readonly cacheUsed: boolean;
}

/** The parameters the bundle's function is given, in this order (build/bundle.mjs writes the same list). */
export const BUNDLE_PARAMETERS = ['__nodeRequire', 'require', '__filename', '__dirname', '__importMetaUrl', '__leanLabsLauncher'] as const;

/** What the program may call back (runner/launcher.ts). */
export interface Launcher {
  /** The first screen is drawn. */
  readonly started: () => void;
}

/**
 * A cache file per build and per way of running Node (its version, its command-line flags and the V8 flags set
 * before the bundle is loaded): V8 refuses code made under another Node or other flags.
 */
export function cacheFileName(buildHash: string, flags: string): string {
  const runtime = cacheHash(`${process.version} ${process.arch} ${process.execArgv.join(' ')} ${flags}`);
  return `${buildHash}-${runtime}.code`;
}

export function loadBundle(file: string, buildHash: string, cacheDir: string, flags = ''): CachedBundle {
  // The build makes the bundle ASCII (build/bundle.mjs): Latin-1 reads it as it is, faster than UTF-8.
  const source = readFileSync(file, 'latin1');
  const cacheFile = join(cacheDir, cacheFileName(buildHash, flags));
  let cachedData: Buffer | undefined;
  let saved = false;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No cache yet (or it cannot be read): compiled from source, and cached by saveIfNeeded.
  }
  const script = new Script(source, { filename: file, cachedData });
  const cacheUsed = cachedData !== undefined && !script.cachedDataRejected;
  return {
    cacheUsed,
    run: (launcher) => {
      const program = script.runInThisContext() as (...args: unknown[]) => Promise<void>;
      const require = createRequire(file);
      return program(require, require, file, dirname(file), pathToFileURL(file).href, launcher);
    },
    saveIfNeeded: () => {
      if (cacheUsed || saved) return;
      saved = true;
      try {
        writeFileAtomic(cacheFile, script.createCachedData());
        // Caches of other builds are never read again.
        for (const name of readdirSync(cacheDir)) if (name.endsWith('.code') && !name.startsWith(`${buildHash}-`)) rmSync(join(cacheDir, name), { force: true });
      } catch {
        // A cache that cannot be written (a read-only home) only costs the next start its compile time.
      }
    },
  };
}
