import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain script of the build, run by `npm run lint` too.
import { importsOf, layerOf, LAYERS, problems } from '../../build/layers.mjs';

describe('the dependency rule', () => {
  it('puts a file in the layer of the longest pattern naming it', () => {
    const name = (f: string) => LAYERS[layerOf(f)]?.[0] ?? 'none';
    expect(name('runner/host/run.ts')).toMatch(/^processes/);
    expect(name('runner/host/engine.ts')).toMatch(/^host/);
    expect(name('runner/commands/table.ts')).toMatch(/^entry/);
    expect(name('runner/commands/start.tsx')).toMatch(/^commands/);
    expect(layerOf('elsewhere/x.ts')).toBe(-1);
  });

  it('refuses an import into a higher layer, a file in no layer, and a circle; allows imports down and across', () => {
    expect(problems({ 'runner/lab/load.ts': ['runner/lab/types.ts', 'runner/checks/registry.ts'], 'runner/checks/registry.ts': [] })).toEqual([]);
    const up = problems({ 'runner/lab/load.ts': ['runner/engine/verify.ts'], 'runner/engine/verify.ts': [] });
    expect(up).toHaveLength(1);
    expect(up[0]).toContain('runner/lab/load.ts imports runner/engine/verify.ts');
    expect(problems({ 'lost/x.ts': [] })[0]).toContain('lost/x.ts is in no layer');
    const circle = problems({ 'runner/engine/a.ts': ['runner/engine/b.ts'], 'runner/engine/b.ts': ['runner/engine/a.ts'] });
    expect(circle).toEqual([expect.stringContaining('runner/engine/a.ts -> runner/engine/b.ts -> runner/engine/a.ts')]);
  });

  it('reads static, type-only, re-exported and dynamic imports, across lines', () => {
    const text = ["import { a } from './a.js';", "import type {\n  B,\n} from '../b.js';", "export { c } from './c.js';", "const d = await import('./d.js');", "import x from 'node:fs';"].join('\n');
    const found = importsOf('runner/lab/x.ts', text, (p: string) => /\/(a|b|c|d)\.ts$/.test(p));
    expect(found.sort()).toEqual(['runner/b.ts', 'runner/lab/a.ts', 'runner/lab/c.ts', 'runner/lab/d.ts']);
  });
});
