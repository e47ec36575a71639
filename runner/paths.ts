import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: where labs/, images/ and slides/ ship, whether run from source or from dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('lean-labs cannot find its own package folder.');
    dir = up;
  }
  return dir;
}

export const bundledLabsDir = (): string => join(packageRoot(), 'labs');
export const imagesDir = (): string => join(packageRoot(), 'images');

/** Where progress, session records and engine logs live: LEAN_LABS_STATE_DIR, else the XDG state folder. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LEAN_LABS_STATE_DIR) return resolve(env.LEAN_LABS_STATE_DIR);
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'lean-labs');
}

/**
 * Where lean-labs keeps what it can make again (the compiled program's code cache): beside the state when
 * LEAN_LABS_STATE_DIR names it (tests and CI keep everything in one temporary folder), else the XDG cache folder.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LEAN_LABS_STATE_DIR) return join(stateDir(env), 'cache');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'lean-labs');
}

/** The version in the package's own package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
