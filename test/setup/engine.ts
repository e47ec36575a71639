import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Integration tests need a real engine and the lab images. `lean-labs engine up --yes` returns at once when one
 * answers, and otherwise installs and starts one the way a learner would; `images build --yes` builds what is
 * missing (nothing, in seconds, when they are there). The images are built here, before any test, because on a new
 * machine the test files run in an order no earlier run has recorded, and a test that replays a lab by hand (the
 * mistake tests) does not build images as `verify` does. If either fails, the whole run fails loudly: these tests
 * never skip.
 */
export default function setup(): void {
  const cli = join(process.cwd(), 'dist/lean-labs.cjs');
  if (!existsSync(cli)) throw new Error('dist/ is missing: run `npm test` (it builds first), not vitest alone.');
  try {
    execFileSync(process.execPath, [cli, 'engine', 'up', '--yes'], { stdio: 'inherit', timeout: 600_000 });
  } catch (err) {
    throw new Error(`The integration tests need a Docker engine and none could be started: ${(err as Error).message}`);
  }
  try {
    execFileSync(process.execPath, [cli, 'images', 'build', '--yes'], { stdio: 'inherit', timeout: 1_800_000, env: { ...process.env, CI: '1' } });
  } catch (err) {
    throw new Error(`The integration tests need the lab images and they could not be built: ${(err as Error).message}`);
  }
}
