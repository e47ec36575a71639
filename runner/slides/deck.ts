import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isMap } from 'yaml';
import { UserError } from '../errors.js';
import { LabFormatError } from '../lab/errors.js';
import { splitFrontMatter } from '../lab/frontmatter.js';
import { entries, parseYaml } from '../lab/yaml-lines.js';

/** One slide as written: its Markdown, speaker notes, and the lab it hands on to. */
export interface Slide {
  readonly index: number;
  readonly markdown: string;
  readonly notes: string;
  /** Lab id from an `@lab <id>` line: the slide links to it and shows `lean-labs start <id>`. */
  readonly lab?: string;
  readonly line: number;
}

export interface Deck {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly slides: readonly Slide[];
  readonly file: string;
}

const FIELDS = ['id', 'title', 'summary'];
const FENCE = /^\s*(`{3,}|~{3,})/;

/**
 * Parses a deck: front matter (id, title, summary), then slides separated by `---` lines outside code blocks.
 * A `Note:` line starts the speaker notes; `@lab <id>` names the lab the slide hands on to. Mistakes are
 * reported at file:line with what to write instead.
 */
export function parseDeck(source: string, file: string, knownLabs: readonly string[]): Deck {
  const text = source.replace(/\r\n/g, '\n');
  const { yaml, bodyLine } = splitFrontMatter(text, file, { noun: 'a deck', fields: 'id, title, summary' });
  const lines = text.split('\n');
  const block = parseYaml(yaml, file, 2);
  if (!isMap(block.root)) throw new LabFormatError({ file, line: 2 }, 'the front matter is not a YAML mapping', 'Write fields such as `title: What a container is`.');
  const front: Record<string, unknown> = {};
  for (const e of entries(block.root, block)) {
    if (!FIELDS.includes(e.key)) throw new LabFormatError({ file, line: e.line }, `unknown front matter field "${e.key}"`, `Known fields: ${FIELDS.join(', ')}.`);
    front[e.key] = e.value;
  }
  for (const k of FIELDS) if (typeof front[k] !== 'string' || !(front[k] as string).trim()) throw new LabFormatError({ file, line: 2 }, `the front matter has no "${k}"`, `Add a line \`${k}: …\`.`);

  const slides: Slide[] = [];
  let body: string[] = [];
  let notes: string[] | undefined;
  let lab: string | undefined;
  let start = bodyLine;
  let first: number | undefined;
  let fence: { marker: string; line: number } | undefined;
  const flush = (nextStart: number) => {
    const markdown = body.join('\n').trim();
    if (markdown || notes?.length || lab) {
      if (!markdown) throw new LabFormatError({ file, line: start }, 'this slide has notes but nothing to show', 'Add a heading or text above the `Note:` line, or remove the empty slide.');
      slides.push({ index: slides.length, markdown, notes: (notes ?? []).join('\n').trim(), lab, line: first ?? start });
    }
    body = [];
    notes = undefined;
    lab = undefined;
    first = undefined;
    start = nextStart;
  };
  for (let i = bodyLine - 1; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    const f = FENCE.exec(line);
    if (f) {
      if (!fence) fence = { marker: f[1]!, line: lineNo };
      else if (line.trim().startsWith(fence.marker[0]!.repeat(fence.marker.length)) && line.trim().replace(/[`~]/g, '') === '') fence = undefined;
    }
    if (!fence && line.trim() === '---') {
      flush(lineNo + 1);
      continue;
    }
    if (!fence && !notes) {
      const labRef = /^@lab\s+(\S+)\s*$/.exec(line.trim());
      if (labRef) {
        const id = labRef[1]!;
        if (!knownLabs.includes(id)) throw new LabFormatError({ file, line: lineNo }, `there is no lab "${id}"`, `Name one of: ${knownLabs.join(', ')}.`);
        lab = id;
        continue;
      }
      if (/^@\w+/.test(line.trim())) throw new LabFormatError({ file, line: lineNo }, `unknown directive ${line.trim().split(/\s/)[0]}`, 'The one directive is `@lab <id>`.');
      if (/^Note:/.test(line)) {
        notes = [line.replace(/^Note:\s*/, '')];
        continue;
      }
    }
    if (!notes && first === undefined && line.trim()) first = lineNo;
    (notes ?? body).push(line);
  }
  if (fence) throw new LabFormatError({ file, line: fence.line }, 'this code block is never closed', `Add a line ${fence.marker} after the code.`);
  flush(lines.length + 1);
  if (!slides.length) throw new LabFormatError({ file, line: bodyLine }, 'this deck has no slides', 'Add a slide: a `# Title` and some text.');
  return { id: front.id as string, title: (front.title as string).trim(), summary: (front.summary as string).trim(), slides, file };
}

/** Every `<dir>/*.md` deck, in name order. */
export function loadDecks(dir: string, knownLabs: readonly string[]): Deck[] {
  if (!existsSync(dir)) throw new UserError(`The slides folder ${dir} does not exist.`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .sort()
    .map((f) => {
      const file = join(dir, f);
      const shown = relative(process.cwd(), file);
      const deck = parseDeck(readFileSync(file, 'utf8'), shown.startsWith('..') ? file : shown, knownLabs);
      if (`${deck.id}.md` !== f)
        throw new LabFormatError(
          { file: shown, line: 2 },
          `the deck id "${deck.id}" differs from its file name "${f}"`,
          `Rename the file to ${deck.id}.md, or write \`id: ${f.replace(/\.md$/, '')}\`.`,
        );
      return deck;
    });
}

export function findDeck(decks: readonly Deck[], id: string): Deck {
  const deck = decks.find((d) => d.id === id);
  if (!deck) throw new UserError(`There is no deck "${id}". Decks: ${decks.map((d) => d.id).join(', ')}. Run \`npx lean-labs slides\` to list them.`);
  return deck;
}
