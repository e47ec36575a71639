#!/usr/bin/env node
/**
 * The `lean-labs` command (dist/lean-labs.js). It only sets V8 up and runs the program, dist/lean-labs-main.js,
 * through V8's code cache (see code-cache.ts): compiling the program was the largest part of starting it.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { loadBundle } from './code-cache.js';
import { cacheDir } from './paths.js';

/** Written by build/bundle.mjs: the hash of the program bundle this launcher was built with. */
declare const __LEAN_LABS_MAIN_HASH__: string;

// The runner lives as long as the learner works and mostly waits for keys, yet V8 sizes its heap for throughput: it
// grows the young generation to 16 MB semi-spaces and lets the old one fill with garbage well past what is live
// (runner RSS 105-132 MB over a lab's checks, 80-90 MB with these). The young generation stays at its first size,
// and the heap is run for size (a smaller old generation's headroom). Command-line flags would do the same, but a
// `bin` starts through `#!/usr/bin/env node`, which passes none; V8 reads these two each time it decides.
const flags = process.argv.slice(2).includes('start') ? '--semi-space-growth-factor=1 --optimize-for-size' : '';
if (flags) setFlagsFromString(flags);

const bundle = loadBundle(fileURLToPath(new URL('./lean-labs-main.js', import.meta.url)), __LEAN_LABS_MAIN_HASH__, join(cacheDir(), 'code'), flags);
process.once('exit', () => bundle.saveIfNeeded());
await bundle.run();
