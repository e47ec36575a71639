#!/usr/bin/env node
/**
 * The `lean-labs` entry point. Node 22+ caches compiled modules between runs, which saves much of the
 * start-up; the cache must be on before the rest is imported, hence this tiny file.
 */
import module from 'node:module';
import { setFlagsFromString } from 'node:v8';

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// The runner lives as long as the learner works and mostly waits for keys, yet V8 sizes its heap for throughput: it
// grows the young generation to 16 MB semi-spaces and lets the old one fill with garbage well past what is live
// (runner RSS 105-132 MB over a lab's checks, 80-90 MB with these). The young generation stays at its first size,
// and the heap is run for size (a smaller old generation's headroom). Command-line flags would do the same, but a
// `bin` starts through `#!/usr/bin/env node`, which passes none; V8 reads these two each time it decides.
if (process.argv.slice(2).includes('start')) setFlagsFromString('--semi-space-growth-factor=1 --optimize-for-size');
await import('./main.js');
