#!/usr/bin/env node
/**
 * The `lean-labs` command (dist/lean-labs.cjs). It only runs the program, dist/lean-labs-main.js, through V8's code
 * cache (see code-cache.ts): compiling the program was the largest part of starting it. It is built as CommonJS
 * (build/bundle.mjs): an ES module entry costs Node's module loader ~8 ms more before anything runs, so it uses
 * `__dirname` and `require`, and is never run as the ES module tsc makes of it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadBundle } from './code-cache.js';
import { cacheDir } from './paths.js';

/** Written by build/bundle.mjs: the hash of the program bundle this launcher was built with. */
declare const __LEAN_LABS_MAIN_HASH__: string;

const v8 = () => require('node:v8') as typeof import('node:v8');

// The runner lives as long as the learner works and mostly waits for keys, yet V8 sizes its heap for throughput: it
// grows the young generation to 16 MB semi-spaces and lets the old one fill with garbage well past what is live
// (runner RSS 105-132 MB over a lab's checks, about 90 MB with these flags). The young generation keeps its first
// size from the start (set later, it has grown while the runner started: 133 MB), and the heap is run for size once
// the first screen is drawn (from the start, that costs the first screen about 35 ms of garbage collection).
// Command-line flags could not do this: a `bin` starts through `#!/usr/bin/env node`, which passes none, and V8
// reads these each time it decides. node:v8 is loaded only for the runner: loading it costs a few ms.
const runner = process.argv.slice(2).includes('start');
const loadFlags = runner ? '--semi-space-growth-factor=1' : '';
if (loadFlags) v8().setFlagsFromString(loadFlags);

const program = join(__dirname, 'lean-labs-main.js');
if (!existsSync(program)) {
  process.stderr.write(`lean-labs is incomplete: ${program} is missing. Install it again (\`npm install lean-labs\`, or \`npm run build\` in a checkout).\n`);
  process.exit(70);
}
const bundle = loadBundle(program, __LEAN_LABS_MAIN_HASH__, join(cacheDir(), 'code'), loadFlags);
// A command that draws no screen caches its code as it ends; saving is done once, so after the first screen (and
// its flag change) this does nothing.
process.once('exit', () => bundle.saveIfNeeded());
void bundle.run({
  started: () => {
    // Written now, before the flags change: V8 takes code only under the flags it was made with.
    bundle.saveIfNeeded();
    if (runner) v8().setFlagsFromString('--optimize-for-size');
  },
});
