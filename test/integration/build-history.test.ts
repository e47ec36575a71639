import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, docker, ROOT } from './helpers.js';

/**
 * A learner's engine has built things before. build-cache must pass whatever its build cache holds: here the lab's
 * own steps, in the order its challenge asks for, were built twice with --no-cache (two cache records for the same
 * instructions), and a whole correct run of the lab came before.
 */
const OLD = ['ll-bc-history:1', 'll-bc-history:2'];

afterAll(async () => {
  for (const tag of OLD) await docker('rmi', tag).catch(() => undefined);
});

describe('an engine with a build history', () => {
  it('verifies build-cache after --no-cache builds of its steps and after an earlier run of it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-bc-history-'));
    cpSync(join(ROOT, 'labs/build-cache/files/app'), dir, { recursive: true });
    const original = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    const install = original.split('\n').find((l) => l.startsWith('RUN sleep'))!;
    writeFileSync(join(dir, 'Dockerfile'), `FROM lean-labs/busybox\nCOPY deps.txt /app/deps.txt\n${install}\nCOPY . /app\nCMD ["sh", "/app/app.sh"]\n`);
    for (const tag of OLD) await docker('build', '--no-cache', '-q', '-t', tag, dir);
    for (const run of [1, 2]) {
      const r = await cli(['verify', 'build-cache']);
      expect(r.code, `run ${run}:\n${r.stdout}${r.stderr}`).toBe(0);
    }
  });
});
