/**
 * Every bundled lab verifies inside a learner's sandbox, run from the learner's own cell, as on a laptop: memory caps
 * and OOM kills, CPU quota and shares, namespaces, tcpdump with NET_ADMIN, Compose, builds, a local registry.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../integration/helpers.js';
import { inSandbox, TestClass, until } from './class-helpers.js';

const NAME = `v${process.pid % 100000}`;
const cls = new TestClass(NAME, mkdtempSync(join(tmpdir(), 'll-labs-in-')), 7300 + (process.pid % 100));

describe('every lab inside a sandbox', () => {
  afterAll(async () => {
    await cli(['class', 'down', '--name', NAME], cls.env);
  });

  it("verify passes for every bundled lab, typed in the learner's cell", async () => {
    // Every lab (no --labs): the sandbox loads every lab's images.
    const up = await cli(['class', 'up', '--name', NAME, '--learners', '1', '--reserve', '0', '--memory', '4g', '--port', String(cls.port), '--yes'], cls.env);
    expect(up.code, up.stderr).toBe(0);
    const j = await cls.join({ code: cls.config().joinCode, name: 'Verifier' });
    expect(j.status).toBe(201);
    await until(
      'the lab images loaded',
      () => cls.statusRows(),
      (rows) => rows.some((r) => r.sandbox === j.body.sandbox && !r.message),
      600_000,
    );
    const r = await inSandbox(
      j.body.sandbox!,
      'lean-labs verify --jobs 2 > /root/verify.out 2>&1; code=$?; grep -B2 -A3 "✗" /root/verify.out | head -n 60; tail -n 3 /root/verify.out; exit $code',
      1_500_000,
    );
    expect(r.out, r.out).toMatch(/\b\d+ passed, 0 failed\b/);
    expect(r.code, r.out).toBe(0);
  });
});
