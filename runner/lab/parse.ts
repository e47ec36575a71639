import MarkdownIt from 'markdown-it';
import { parseCheckBlock } from './check-block.js';
import { LabFormatError } from './errors.js';
import { parseFrontMatter, splitFrontMatter } from './frontmatter.js';
import type { CheckSpec, CommandBlock, Lab, Step } from './types.js';

/** Fence info words that carry lab structure rather than prose. */
const COMMAND_LANGS = new Set(['sh', 'bash', 'shell']);
const DIRECTIVES = new Set(['check', 'hint', 'solution', 'setup', 'cleanup', 'takeaway']);
const md = new MarkdownIt();
/** A line opening a lab block (```check, ~~~sh, …): never the content of another block. */
const STRAY_OPENER = /^\s{0,3}(`{3,}|~{3,})\s*(sh|bash|shell|check|hint|solution|setup|cleanup|takeaway)\s*$/;
/** Hints a challenge step (its goal stated, no command shown) needs: from the idea, through the option, to the command. */
export const CHALLENGE_HINTS = 2;

interface StepDraft {
  title: string;
  line: number;
  startIdx: number;
  commands: CommandBlock[];
  solution: CommandBlock[];
  hasSolution: boolean;
  checks: CheckSpec[];
  hints: string[];
  setup: CommandBlock[];
  cleanup: CommandBlock[];
  hidden: Array<[number, number]>;
}

export function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Parses a lab file's text. `file` is used in messages only; `dir` is the lab's folder. */
export function parseLab(source: string, file: string, dir = ''): Lab {
  const { yaml, body, bodyLine } = splitFrontMatter(source.replace(/\r\n/g, '\n'), file);
  const front = parseFrontMatter(yaml, file);
  const lines = body.split('\n');
  const tokens = md.parse(body, {});
  const at = (bodyIdx: number) => ({ file, line: bodyLine + bodyIdx });

  const drafts: StepDraft[] = [];
  const labCleanup: CommandBlock[] = [];
  const introHidden: Array<[number, number]> = [];
  let introEnd = lines.length;
  let takeaway: { text: string; line: number } | undefined;

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const map = t.map;
    if (t.type === 'heading_open' && t.tag === 'h2' && t.level === 0 && map) {
      const title = tokens[i + 1]?.content.trim() ?? '';
      if (!title) throw new LabFormatError(at(map[0]), 'a step heading needs a title', 'Write e.g. `## Share a network namespace`.');
      if (drafts.length === 0) introEnd = map[0];
      drafts.push({ title, line: bodyLine + map[0], startIdx: map[0], commands: [], solution: [], hasSolution: false, checks: [], hints: [], setup: [], cleanup: [], hidden: [] });
      continue;
    }
    if (t.type !== 'fence' || !map) continue;
    const closing = lines[map[1] - 1]?.trim() ?? '';
    if (map[1] - map[0] < 2 || !closing.startsWith(t.markup) || closing.replace(/[`~]/g, '') !== '')
      throw new LabFormatError(at(map[0]), `this ${t.markup} block is never closed`, `Add a line \`${t.markup}\` after its content.`);
    const lang = t.info.trim().split(/\s+/)[0] ?? '';
    // A fence left open in the middle of a file swallows the prose and blocks after it until some later fence
    // happens to close it. Another lab block's opener inside it gives that away.
    const swallowed = t.content.split('\n').findIndex((l) => STRAY_OPENER.test(l));
    if (swallowed >= 0)
      throw new LabFormatError(
        at(map[0]),
        `this ${t.markup}${lang} block is never closed: it runs on into the ${t.content.split('\n')[swallowed]!.trim()} block at line ${bodyLine + map[0] + 1 + swallowed}`,
        `Add a line \`${t.markup}\` where its content ends.`,
      );
    const block: CommandBlock = { text: t.content.replace(/\n$/, ''), pos: at(map[0] + 1) };
    const step = drafts.at(-1);
    if (lang === 'takeaway') {
      if (takeaway) throw new LabFormatError(at(map[0]), `a lab has one takeaway, and one is already at line ${takeaway.line}`, 'Merge them into one ```takeaway block.');
      if (!block.text.trim()) throw new LabFormatError(block.pos, 'this takeaway is empty', 'Say in a few sentences what the lab means in production today.');
      takeaway = { text: block.text.trim(), line: bodyLine + map[0] };
      (step ? step.hidden : introHidden).push([map[0], map[1]]);
      continue;
    }
    if (!step) {
      if (lang === 'cleanup') {
        labCleanup.push(block);
        introHidden.push([map[0], map[1]]);
      } else if (DIRECTIVES.has(lang)) {
        throw new LabFormatError(
          at(map[0]),
          `a \`${lang}\` block must be inside a step`,
          'Move it below a `## Step title` heading (only `cleanup` may stand before the first step, for the whole lab).',
        );
      }
      continue;
    }
    if (COMMAND_LANGS.has(lang)) {
      step.commands.push(block);
      continue;
    }
    if (!DIRECTIVES.has(lang)) continue;
    step.hidden.push([map[0], map[1]]);
    if (lang === 'check') step.checks.push(...parseCheckBlock(t.content, file, bodyLine + map[0] + 1));
    else if (lang === 'hint') {
      if (!block.text.trim()) throw new LabFormatError(block.pos, 'this hint is empty', 'Write one sentence that nudges the learner.');
      step.hints.push(block.text.trim());
    } else if (lang === 'solution') {
      step.hasSolution = true;
      step.solution.push(block);
    } else if (lang === 'setup') step.setup.push(block);
    else step.cleanup.push(block);
  }

  if (drafts.length === 0) throw new LabFormatError({ file, line: bodyLine }, 'this lab has no steps', 'Add a step: a `## Title` heading, prose, a ```sh block and a ```check block.');

  const ids = new Set<string>();
  const steps: Step[] = drafts.map((d, index) => {
    const pos = { file, line: d.line };
    const id = slug(d.title) || `step-${index + 1}`;
    if (ids.has(id)) throw new LabFormatError(pos, `two steps are titled "${d.title}"`, 'Give every step its own title.');
    ids.add(id);
    if (d.checks.length === 0) throw new LabFormatError(pos, `step "${d.title}" has no checks, so nothing proves it`, 'Add a ```check block with at least one check.');
    if (d.checks.every((c) => c.guard))
      throw new LabFormatError(pos, `step "${d.title}" has only guard checks, so nothing shows the step was done`, 'Add a check that fails before the step and passes after it.');
    const solution = d.hasSolution ? d.solution : d.commands;
    if (solution.length === 0)
      throw new LabFormatError(pos, `step "${d.title}" has no commands and no solution for verify to run`, 'Add a ```sh block with what the learner types, or a ```solution block.');
    // A step that shows no command is a challenge: the learner works it out, so the hints must lead the way there.
    const challenge = d.commands.length === 0;
    if (challenge && d.hints.length < CHALLENGE_HINTS)
      throw new LabFormatError(
        pos,
        `step "${d.title}" shows no command, so it is a challenge, and it has ${d.hints.length} hint${d.hints.length === 1 ? '' : 's'}`,
        `Give it at least ${CHALLENGE_HINTS} \`\`\`hint blocks that escalate: the idea, then the option, then the command itself.`,
      );
    const end = drafts[index + 1]?.startIdx ?? lines.length;
    const bodyText = keepLines(lines, d.startIdx + 1, end, d.hidden);
    return { id, index, title: d.title, body: bodyText, commands: d.commands, solution, checks: d.checks, hints: d.hints, setup: d.setup, cleanup: d.cleanup, challenge, pos };
  });

  return { ...front, intro: keepLines(lines, 0, introEnd, introHidden), steps, cleanup: labCleanup, takeaway: takeaway?.text, file, dir };
}

/** Lines [from, to) without the hidden ranges, trimmed of blank edges. */
function keepLines(lines: readonly string[], from: number, to: number, hidden: ReadonlyArray<[number, number]>): string {
  const kept: string[] = [];
  for (let i = from; i < to; i++) if (!hidden.some(([a, b]) => i >= a && i < b)) kept.push(lines[i] ?? '');
  return kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
