import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUNDLE_PARAMETERS, loadBundle } from '../../runner/code-cache.js';

const ROOT = join(import.meta.dirname, '../..');

/** A program bundle as the build writes it: the body of one async function. */
function writeBundle(dir: string, body: string): string {
  const file = join(dir, 'program.js');
  writeFileSync(file, `(async function (${BUNDLE_PARAMETERS.join(', ')}) {"use strict";\n${body}\n})`);
  return file;
}

/**
 * One start of a program in a Node process of its own, as the command does it (V8 keeps what one process compiled,
 * so only a new process shows whether the cache on disk was taken). Returns what it printed and whether it was cached.
 */
function start(file: string, hash: string, cache: string, execArgv: string[] = []): string {
  const script = `import { loadBundle } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist/runner/code-cache.js')).href)};
const b = loadBundle(${JSON.stringify(file)}, ${JSON.stringify(hash)}, ${JSON.stringify(cache)});
await b.run();
b.saveIfNeeded();
process.stdout.write(b.cacheUsed ? 'cached' : 'compiled');`;
  return execFileSync(process.execPath, [...execArgv, '--input-type=module', '-e', script], { encoding: 'utf8' });
}

const seen = () => (globalThis as { __codeCacheTest?: unknown[] }).__codeCacheTest;

describe('the program runs through V8 code cache', () => {
  it('gives the program its require, file names, import.meta.url and the launcher, and waits for its top-level await', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-code-'));
    const file = writeBundle(
      dir,
      `await new Promise((r) => setTimeout(r, 20)); __leanLabsLauncher.started(); globalThis.__codeCacheTest = [__filename, __dirname, __importMetaUrl, typeof __nodeRequire('node:fs').readFileSync, typeof require('node:path').join];`,
    );
    let started = 0;
    await loadBundle(file, 'h1', join(dir, 'cache')).run({ started: () => started++ });
    expect(seen()).toEqual([file, dir, pathToFileURL(file).href, 'function', 'function']);
    expect(started).toBe(1);
  });

  it('writes a cache the next start takes, and compiles afresh when the build or the cache changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-code-'));
    const cache = join(dir, 'cache');
    const file = writeBundle(dir, 'process.stdout.write("ran 1 ");');

    expect(start(file, 'build-a', cache)).toBe('ran 1 compiled');
    const [written] = readdirSync(cache);
    expect(written).toMatch(/^build-a-[0-9a-f]{16}\.code$/);
    expect(start(file, 'build-a', cache)).toBe('ran 1 cached');

    // Node's flags are part of the name: code made under others is not even offered to V8 (it would refuse it).
    expect(start(file, 'build-a', cache, ['--optimize-for-size'])).toBe('ran 1 compiled');
    expect(start(file, 'build-a', cache, ['--optimize-for-size'])).toBe('ran 1 cached');
    expect(start(file, 'build-a', cache)).toBe('ran 1 cached');

    // A damaged cache is refused by V8; the program still runs and the cache is written again.
    writeFileSync(join(cache, written!), 'not code at all');
    expect(start(file, 'build-a', cache)).toBe('ran 1 compiled');
    expect(start(file, 'build-a', cache)).toBe('ran 1 cached');

    // A new build of the same length never takes the old one's code (V8 checks the length only), and its save
    // drops the old build's caches.
    const rebuilt = writeBundle(dir, 'process.stdout.write("ran 2 ");');
    expect(start(rebuilt, 'build-b', cache)).toBe('ran 2 compiled');
    expect(readdirSync(cache).every((n) => n.startsWith('build-b-'))).toBe(true);
    expect(start(rebuilt, 'build-b', cache)).toBe('ran 2 cached');
  });

  it('a cache folder that cannot be written costs nothing but the cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-code-'));
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const b = loadBundle(writeBundle(dir, 'globalThis.__codeCacheTest = [3];'), 'x', join(blocker, 'cache'));
    await b.run();
    expect(() => b.saveIfNeeded()).not.toThrow();
    expect(seen()).toEqual([3]);
  });

  it('the command without its program says what is missing and how to get it back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-bin-'));
    copyFileSync(join(ROOT, 'dist/lean-labs.cjs'), join(dir, 'lean-labs.cjs'));
    const r = spawnSync(process.execPath, [join(dir, 'lean-labs.cjs'), '--version'], { encoding: 'utf8', env: { ...process.env, LEAN_LABS_STATE_DIR: join(dir, 'state') } });
    expect(r.status).toBe(70);
    expect(r.stderr).toContain(`lean-labs is incomplete: ${join(dir, 'lean-labs-main.js')} is missing`);
    expect(r.stderr).not.toMatch(/at .*\(/); // a sentence, not a stack
  });

  it('the built command caches its program in the state folder and takes the cache on the next run', () => {
    const state = mkdtempSync(join(tmpdir(), 'll-state-'));
    const env = { ...process.env, LEAN_LABS_STATE_DIR: state };
    const cli = join(ROOT, 'dist/lean-labs.cjs');
    const version = execFileSync(process.execPath, [cli, '--version'], { env, encoding: 'utf8' });
    expect(version).toMatch(/^\d+\.\d+\.\d+\n$/);
    const folder = join(state, 'cache', 'code');
    const files = readdirSync(folder);
    expect(files).toHaveLength(1);
    const before = statSync(join(folder, files[0]!)).mtimeMs;
    expect(execFileSync(process.execPath, [cli, '--version'], { env, encoding: 'utf8' })).toBe(version);
    // Taken, not written again.
    expect(statSync(join(folder, files[0]!)).mtimeMs).toBe(before);
    expect(readdirSync(folder)).toEqual(files);
  });
});
