import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_KINDS } from '../../runner/checks/registry.js';
import { parseLab } from '../../runner/lab/parse.js';

const guide = readFileSync(join(import.meta.dirname, '../../labs/AUTHORING.md'), 'utf8');

describe('labs/AUTHORING.md stays true to the code', () => {
  it('documents every check kind and every field of it', () => {
    for (const [name, kind] of CHECK_KINDS) {
      const row = guide.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
      expect(row, `a table row for ${name}`).toBeDefined();
      for (const field of Object.keys(kind.fields)) expect(row, `${name}.${field}`).toContain(`\`${field}\``);
    }
  });

  it('its complete example is a valid lab', () => {
    const example = /````markdown\n([\s\S]*?)\n````/.exec(guide)?.[1];
    expect(example).toBeDefined();
    const lab = parseLab(example!, 'AUTHORING.md');
    expect(lab.id).toBe('hello-volume');
    expect(lab.steps).toHaveLength(2);
    expect(lab.steps[0]!.checks.map((c) => c.kind)).toEqual(['volume', 'container']);
  });
});
