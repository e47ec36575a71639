import { describe, expect, it } from 'vitest';
import { COMMANDS, commandHelp, foreignOptions, labsDirFor, mainHelp, OPTIONS, parseArgsOptions, parseJobs, parsePatience } from '../../runner/commands/table.js';

describe('the command table', () => {
  it("makes the parser, each command's help and the main help from one place", () => {
    const parser = parseArgsOptions();
    expect(Object.keys(parser).sort()).toEqual(Object.keys(OPTIONS).sort());
    expect(parser.yes).toEqual({ type: 'boolean', short: 'y', default: false });
    expect(parser.labs).toEqual({ type: 'string' });
    for (const [name, c] of Object.entries(COMMANDS)) {
      for (const o of c.options) expect(OPTIONS[o], `${name} --${o}`).toBeDefined();
      const help = commandHelp(name);
      expect(help.startsWith(`Usage: npx lean-labs ${c.usage}\n`)).toBe(true);
      for (const o of c.options) expect(help).toContain(OPTIONS[o].text);
      for (const [left] of c.summary) expect(mainHelp()).toContain(`  ${left}`);
    }
  });

  it('names the options a command does not take, by long or short name, and none it does', () => {
    expect(foreignOptions('verify', { presenter: true, jobs: '2' }, ['verify', '--presenter', '--jobs=2'])).toEqual(['presenter']);
    expect(foreignOptions('engine', { yes: true, help: false }, ['engine', 'up', '-y'])).toEqual([]);
    expect(foreignOptions('list', { yes: true }, ['list', '-y'])).toEqual(['yes']);
    // A default (false) that was not typed is no option given.
    expect(foreignOptions('list', { presenter: false }, ['list'])).toEqual([]);
  });

  it('reads --jobs and where labs come from', () => {
    expect(parseJobs(undefined)).toBe(1);
    expect(parseJobs('3')).toBe(3);
    expect(() => parseJobs('0')).toThrow(/whole number from 1 to 16/);
    expect(parsePatience(undefined)).toBe(1);
    expect(parsePatience('2.5')).toBe(2.5);
    expect(() => parsePatience('0.5')).toThrow(/from 1 to 20/);
    expect(() => parsePatience('lots')).toThrow(/from 1 to 20/);
    expect(labsDirFor('verify', '/my/labs')).toBe('/my/labs');
    expect(labsDirFor('class', 'namespaces,cgroups')).not.toBe('namespaces,cgroups');
  });
});
