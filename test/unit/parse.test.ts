import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabFormatError } from '../../runner/lab/errors.js';
import { loadLabs } from '../../runner/lab/load.js';
import { readLabSet, withParserOnDemand } from '../../runner/lab/lab-set.js';
import { parseLab } from '../../runner/lab/parse.js';

const fixtures = join(import.meta.dirname, '../fixtures');

describe('parseLab on a valid lab', () => {
  const file = join(fixtures, 'labs/tiny/lab.md');
  const lab = parseLab(readFileSync(file, 'utf8'), 'tiny/lab.md', join(fixtures, 'labs/tiny'));

  it('reads the front matter', () => {
    expect(lab).toMatchObject({ format: 1, id: 'tiny', title: 'A tiny lab', durationMinutes: 5, images: ['busybox'] });
    expect(lab.resources.containers).toEqual(['tiny-one']);
    expect(lab.resources.volumes).toEqual([]);
    expect(lab.podman).toBeUndefined();
  });

  it('reads why a lab cannot run on Podman, and refuses a podman line that says nothing', () => {
    const source = readFileSync(file, 'utf8');
    const withPodman = source.replace('\n---\n', '\npodman: "  its builds need BuildKit "\n---\n');
    expect(parseLab(withPodman, 'tiny/lab.md', join(fixtures, 'labs/tiny')).podman).toBe('its builds need BuildKit');
    for (const bad of ['podman: ""', 'podman: [a, b]', 'podman: 3'])
      expect(() => parseLab(source.replace('\n---\n', `\n${bad}\n---\n`), 'tiny/lab.md', join(fixtures, 'labs/tiny'))).toThrow(/podman must be a sentence/);
  });

  it('splits steps at level-2 headings, with ids from their titles', () => {
    expect(lab.steps.map((s) => [s.id, s.title])).toEqual([
      ['start-one-container', 'Start one container'],
      ['remove-it', 'Remove it'],
    ]);
  });

  it('takes the sh blocks as commands and as the default solution', () => {
    const [first] = lab.steps;
    expect(first!.commands.map((c) => c.text)).toEqual(['docker run -d --name tiny-one lean-labs/busybox sleep 300']);
    expect(first!.solution).toEqual(first!.commands);
    expect(first!.commands[0]!.pos).toEqual({ file: 'tiny/lab.md', line: 23 });
  });

  it('prefers an explicit solution block', () => {
    expect(lab.steps[1]!.solution.map((c) => c.text)).toEqual(['docker rm -f tiny-one >/dev/null']);
    expect(lab.steps[1]!.commands.map((c) => c.text)).toEqual(['docker rm -f tiny-one']);
  });

  it('parses checks with converted fields, message, within and their line', () => {
    const [running, exec] = lab.steps[0]!.checks;
    expect(running).toMatchObject({ kind: 'container', fields: { container: 'tiny-one', state: 'running' }, message: 'Start it with -d.', withinMs: 2000 });
    expect(running!.pos.line).toBe(27);
    expect(exec).toMatchObject({ kind: 'exec', fields: { run: 'cat /proc/1/cmdline', stdout: 'sleep' }, withinMs: 5000 });
    expect(exec!.pos.line).toBe(31);
  });

  it('keeps hints in order and out of the prose', () => {
    expect(lab.steps[0]!.hints).toEqual(['Use -d.', 'The whole command is above.']);
    expect(lab.steps[0]!.body).toContain('Type this:');
    expect(lab.steps[0]!.body).toContain('docker run -d --name tiny-one');
    expect(lab.steps[0]!.body).not.toContain('Use -d.');
    expect(lab.steps[0]!.body).not.toContain('kind: container');
  });

  it('takes a cleanup block before the first step as the lab cleanup, not as prose', () => {
    expect(lab.cleanup.map((c) => c.text)).toEqual(['docker rm -f tiny-one >/dev/null 2>&1 || true']);
    expect(lab.intro).toBe('Intro prose.');
  });
});

describe('parseLab on malformed labs', () => {
  const expected = JSON.parse(readFileSync(join(fixtures, 'malformed/expected.json'), 'utf8')) as Record<string, { line: number; says: string }>;
  const files = readdirSync(join(fixtures, 'malformed')).filter((f) => f.endsWith('.md'));

  it('has an expectation for every fixture', () => {
    expect(files.sort()).toEqual(Object.keys(expected).sort());
  });

  for (const name of files) {
    it(`${name}: names file:line and the problem`, () => {
      const want = expected[name]!;
      let error: unknown;
      try {
        parseLab(readFileSync(join(fixtures, 'malformed', name), 'utf8'), `labs/${name}`);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(LabFormatError);
      const e = error as LabFormatError;
      expect(e.message).toContain(want.says);
      expect(`${e.file}:${e.line}`).toBe(`labs/${name}:${want.line}`);
      expect(e.fix, 'every authoring error says what to write instead').toBeTruthy();
    });
  }
});

describe('loadLabs', () => {
  it('loads the bundled labs without authoring errors', () => {
    const labs = loadLabs(join(import.meta.dirname, '../../labs'));
    expect(labs.map((l) => l.id)).toContain('namespaces');
  });

  it('loads a folder of labs given with --labs', () => {
    expect(loadLabs(join(fixtures, 'labs')).map((l) => l.id)).toEqual(['tiny']);
  });

  it('says which folder is missing', () => {
    expect(() => loadLabs(join(fixtures, 'nope'))).toThrow(/does not exist/);
  });
});

describe('the bundled labs follow the curriculum rules', () => {
  const labs = loadLabs(join(import.meta.dirname, '../../labs'));
  for (const lab of labs) {
    it(`${lab.id}: a challenge step whose hints lead to the command, and a takeaway`, () => {
      const challenges = lab.steps.filter((s) => s.challenge);
      expect(challenges.length, 'a step that states the goal and shows no command').toBeGreaterThanOrEqual(1);
      for (const step of challenges) expect(step.hints.length, step.title).toBeGreaterThanOrEqual(2);
      expect(lab.takeaway, 'a ```takeaway block: what the lab means in production today').toBeTruthy();
    });

    it(`${lab.id}: 4-10 steps, each with checks and 1-3 hints, 10-25 minutes`, () => {
      expect(lab.steps.length).toBeGreaterThanOrEqual(4);
      expect(lab.steps.length).toBeLessThanOrEqual(10);
      expect(lab.durationMinutes).toBeGreaterThanOrEqual(10);
      expect(lab.durationMinutes).toBeLessThanOrEqual(25);
      for (const step of lab.steps) {
        expect(step.checks.length, step.title).toBeGreaterThan(0);
        expect(step.hints.length, step.title).toBeGreaterThanOrEqual(1);
        expect(step.hints.length, step.title).toBeLessThanOrEqual(3);
      }
    });
  }
});

describe('challenge steps and the takeaway', () => {
  const source = readFileSync(join(fixtures, 'labs/tiny/lab.md'), 'utf8');
  const lab = parseLab(source, 'tiny/lab.md', join(fixtures, 'labs/tiny'));

  it('a step that shows a command is no challenge, and a lab without a takeaway has none', () => {
    expect(lab.steps.every((s) => !s.challenge)).toBe(true);
    expect(lab.takeaway).toBeUndefined();
  });

  it('a step with only a solution is a challenge; the takeaway is kept apart from the step text', () => {
    const first = lab.steps[0]!;
    const sh = first.commands[0]!.text;
    const challenged = source
      .replace(`\`\`\`sh\n${sh}\n\`\`\``, `\`\`\`solution\n${sh}\n\`\`\`\n\n\`\`\`hint\nThe idea.\n\`\`\`\n\n\`\`\`hint\nThe command.\n\`\`\``)
      .concat('\n```takeaway\nWhat it means in production.\n```\n');
    const parsed = parseLab(challenged, 'tiny/lab.md', join(fixtures, 'labs/tiny'));
    expect(parsed.steps[0]!.challenge).toBe(true);
    expect(parsed.steps[0]!.commands).toEqual([]);
    expect(parsed.steps[0]!.solution[0]!.text).toBe(sh);
    expect(parsed.takeaway).toBe('What it means in production.');
    expect(parsed.steps.at(-1)!.body).not.toContain('What it means in production.');
  });
});

describe('the parse cache', () => {
  it('parses a lab the cache does not hold, and reads it back without the parser next time', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'll-parse-cache-'));
    const dir = join(fixtures, 'labs');
    let parsed = 0;
    const cold = await withParserOnDemand((parse) =>
      readLabSet(
        dir,
        (...a) => {
          parsed++;
          return parse(...a);
        },
        cache,
      ),
    );
    expect(parsed).toBeGreaterThan(0);
    expect(cold.labs.map((l) => l.id)).toContain('tiny');
    const warm = readLabSet(
      dir,
      () => {
        throw new Error('parsed although cached');
      },
      cache,
    );
    expect(warm.labs).toEqual(cold.labs);
    expect(await withParserOnDemand((parse) => readLabSet(dir, parse, cache))).toEqual(warm);
  });
});
