#!/usr/bin/env node
/**
 * The `lean-labs` command (dist/lean-labs.js). It only runs the program, dist/lean-labs-main.js, through V8's code
 * cache (see code-cache.ts): compiling the program was the largest part of starting it.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { loadBundle } from './code-cache.js';
import { cacheDir } from './paths.js';

/** Written by build/bundle.mjs: the hash of the program bundle this launcher was built with. */
declare const __LEAN_LABS_MAIN_HASH__: string;

const bundle = loadBundle(fileURLToPath(new URL('./lean-labs-main.js', import.meta.url)), __LEAN_LABS_MAIN_HASH__, join(cacheDir(), 'code'));
let flagsChanged = false;
process.once('exit', () => {
  if (!flagsChanged) bundle.saveIfNeeded();
});
await bundle.run({
  started: () => {
    bundle.saveIfNeeded();
    if (!process.argv.slice(2).includes('start')) return;
    // The runner lives as long as the learner works and mostly waits for keys, yet V8 sizes its heap for
    // throughput: it grows the young generation to 16 MB semi-spaces and lets the old one fill with garbage well past
    // what is live (runner RSS 105-132 MB over a lab's checks, 80-90 MB with these). From the first screen on, the
    // young generation stays at the size it has, and the heap is run for size. Set at start-up, they cost the first
    // screen about 35 ms of garbage collection. Command-line flags could not do this: a `bin` starts through
    // `#!/usr/bin/env node`, which passes none; V8 reads these two each time it decides.
    // node:v8 is loaded here rather than imported: loading it costs the start a few ms.
    const v8 = createRequire(import.meta.url)('node:v8') as typeof import('node:v8');
    v8.setFlagsFromString('--semi-space-growth-factor=1 --optimize-for-size');
    flagsChanged = true;
  },
});
