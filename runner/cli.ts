#!/usr/bin/env node
/**
 * The `lean-labs` entry point. Node 22+ caches compiled modules between runs, which saves much of the
 * start-up; the cache must be on before the rest is imported, hence this tiny file.
 */
import module from 'node:module';

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
await import('./main.js');
