import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonReport } from '../../runner/reporters/json.js';
import { cliOn, ENGINES, type RunningEngine, selectedEngines, startEngine } from './engines.js';
import { CANNOT_RUN } from './expected.js';

/** Where each engine's verdicts go, for `npm run engines:table` to turn into the README's table. */
export const resultsDir = () => process.env.LEAN_LABS_ENGINE_RESULTS ?? join(tmpdir(), 'lean-labs-engine-results');

const MINUTE = 60_000;
const bundledLabs = (engine: RunningEngine) =>
  cliOn(engine, ['list'], MINUTE)
    .stdout.split('\n')
    .map((l) => /^([a-z0-9-]+)\s{2,}\d+ min/.exec(l)?.[1])
    .filter((id): id is string => id !== undefined);

for (const name of selectedEngines()) {
  describe(`${name}: ${ENGINES[name]}`, () => {
    let engine: RunningEngine;
    // Its own state folder: session records of one engine never meet another's.
    const state = mkdtempSync(join(tmpdir(), `ll-engine-${name}-`));
    // A learner's own folders are theirs, and a rootless engine runs as them; here root made the folder (0700), and
    // the VM's rootless engine (uid 1000) must still enter it to mount a lab's files, as it could the learner's.
    chmodSync(state, 0o755);
    const on = (args: string[], ms: number) => cliOn({ ...engine, name }, args, ms);

    beforeAll(async () => {
      process.env.LEAN_LABS_STATE_DIR = state;
      engine = await startEngine(name);
    }, 45 * MINUTE);
    afterAll(async () => engine?.stop());

    it('doctor names the kind of engine, its image store and cgroup version, and the labs that run there', () => {
      const r = on(['doctor'], 5 * MINUTE);
      const text = r.stdout + r.stderr;
      expect(text).toMatch(/cgroup v[12]/);
      expect(text).toMatch(/image store/i);
      if (name !== 'host') {
        expect(text).toMatch(/cgroup v2/);
        expect(text).toMatch(/containerd/i);
        expect(text).toMatch(/reached at tcp:\/\/127\.0\.0\.1:\d+/);
      }
      if (name === 'vm-rootless') expect(text).toMatch(/rootless/i);
    });

    it('verifies every lab there, or the lab says before it starts why it cannot', () => {
      const out = join(state, 'report.json');
      const t0 = Date.now();
      // An emulated VM runs each container about twenty times slower: checks that wait for the engine wait longer.
      const r = on(['verify', '--jobs', '2', '--patience', String(engine.patience ?? 1), '--reporter', 'json', '--out', out], 80 * MINUTE);
      const report = JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
      mkdirSync(resultsDir(), { recursive: true });
      writeFileSync(join(resultsDir(), `${name}.json`), `${JSON.stringify({ engine: name, about: ENGINES[name], ms: Date.now() - t0, labs: report.labs }, null, 2)}\n`);
      expect(report.labs.map((l) => l.lab).sort()).toEqual(bundledLabs(engine).sort());
      const allowed = CANNOT_RUN[name] ?? {};
      const wrong = report.labs
        .filter((l) => l.status === 'failed' || (l.status === 'unsupported' && !(l.reasons ?? []).some((reason) => allowed[l.lab]?.test(reason))))
        .map((l) => `${l.lab} ${l.status}: ${(l.reasons ?? l.failures.map((f) => `${f.name}: ${f.message}`)).join('\n    ')}`);
      expect(wrong, r.stderr).toEqual([]);
      // An engine that cannot run a lab fails the run; else the run passes.
      expect(r.code).toBe(report.labs.every((l) => l.status === 'passed') ? 0 : 1);
    });
  });
}
