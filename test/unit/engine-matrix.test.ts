import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectedEngines } from '../engines/engines.js';
// @ts-expect-error: a plain zx script, run directly too.
import { publishedPorts } from '../engines/vm/vm.mjs';
// @ts-expect-error: a plain script (npm run engines:table), tested through its exports.
import { currentCells, renderTable } from '../engines/table.mjs';

const verdicts = (labs: Array<[string, string, number]>) => ({
  labs: labs.map(([lab, status, ms]) => ({ lab, status, ms, failures: [], ...(status === 'unsupported' ? { reasons: ['swap-limit: this kernel does not account swap'] } : {}) })),
});

describe('the engine matrix', () => {
  it('picks engines by name and refuses an unknown one', () => {
    expect(selectedEngines('vm, host')).toEqual(['vm', 'host']);
    expect(selectedEngines(undefined)).toEqual(['host', 'vm', 'vm-rootless']);
    expect(selectedEngines('vm-rootless')).toEqual(['vm-rootless']);
    expect(() => selectedEngines('desktop')).toThrow(/LEAN_LABS_ENGINES names "desktop"; the engines are host, vm, vm-rootless/);
  });

  it('forwards the host ports the labs publish, and not a user id that looks like one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-ports-'));
    mkdirSync(join(dir, 'a'));
    writeFileSync(
      join(dir, 'a', 'lab.md'),
      'docker run -p 127.0.0.1:5111:5000 x\ndocker run --publish=8080:80 y\ndocker run --user "1000:1000" z\nports:\n  - "8099:80"\nports: ["127.0.0.1:7000:80"]\n',
    );
    expect(publishedPorts(dir)).toEqual([5111, 7000, 8080, 8099]);
  });

  it('writes the table from each engine’s verdicts and keeps the columns of engines not run this time', () => {
    const table = renderTable({
      vm: verdicts([
        ['namespaces', 'passed', 61_400],
        ['cgroups', 'unsupported', 10],
        ['ship', 'failed', 5000],
      ]),
    });
    expect(table.split('\n')).toEqual([
      '| lab | VM over TCP (cgroup v2, containerd store) |',
      '|---|---|',
      '| `namespaces` | ✓ 61 s |',
      '| `cgroups` | not here: swap-limit |',
      '| `ship` | ✗ fails |',
    ]);
    const readme = `x\n<!-- engine-matrix:begin -->\n${table}\n<!-- engine-matrix:end -->\n`;
    const next = renderTable(
      {
        host: verdicts([
          ['namespaces', 'passed', 3000],
          ['cgroups', 'passed', 2000],
          ['ship', 'passed', 4000],
        ]),
      },
      currentCells(readme),
    );
    expect(next.split('\n')[0]).toBe('| lab | this machine (cgroup v1) | VM over TCP (cgroup v2, containerd store) |');
    expect(next).toContain('| `cgroups` | ✓ 2 s | not here: swap-limit |');
  });
});
