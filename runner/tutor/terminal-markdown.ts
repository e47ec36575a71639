import MarkdownIt from 'markdown-it';
import stringWidth from 'string-width';

/**
 * A step's Markdown laid out for a terminal of a given width: a pure function from text to styled lines, so
 * the Ink view only paints them and scrolling is slicing.
 */
export type Style = 'plain' | 'strong' | 'em' | 'code' | 'heading' | 'link' | 'quote' | 'rule' | 'bullet' | 'codeblock' | 'command' | 'flag' | 'string' | 'comment' | 'variable' | 'tableHead';

export interface Segment {
  readonly text: string;
  readonly style: Style;
}
export type Line = readonly Segment[];

type Token = ReturnType<InstanceType<typeof MarkdownIt>['parse']>[number];

const md = new MarkdownIt({ html: false, linkify: false });

/** Columns a text takes in a terminal: a CJK character or an emoji takes two, a combining mark none. */
const columns = (text: string): number => stringWidth(text);

/** The longest start of `text` that fits in `room` columns (at least one character, so a cut always moves on). */
function fitting(text: string, room: number): string {
  let used = 0;
  let end = 0;
  for (const ch of text) {
    const w = columns(ch);
    if (end > 0 && used + w > room) break;
    used += w;
    end += ch.length;
  }
  return text.slice(0, end);
}
const SHELL_LANGS = new Set(['', 'sh', 'shell', 'bash', 'console', 'zsh']);

/** Greedy word wrap of styled segments to `width` columns; words longer than a line are cut. */
export function wrap(segments: readonly Segment[], width: number, firstPrefix: Segment[] = [], restPrefix: Segment[] = firstPrefix): Line[] {
  const w = Math.max(10, width);
  const lengthOf = (p: Segment[]) => p.reduce((n, s) => n + columns(s.text), 0);
  const lines: Segment[][] = [];
  let line: Segment[] = [...firstPrefix];
  let used = lengthOf(firstPrefix);
  let empty = true;
  let space = false;
  const newLine = () => {
    lines.push(line);
    line = [...restPrefix];
    used = lengthOf(restPrefix);
    empty = true;
    space = false;
  };
  for (const seg of segments) {
    for (const piece of seg.text.split(/(\s+)/)) {
      if (piece === '') continue;
      if (/^\s+$/.test(piece)) {
        if (piece.includes('\n')) newLine();
        else space = !empty;
        continue;
      }
      let word = piece;
      if (!empty && used + (space ? 1 : 0) + columns(word) > w) newLine();
      if (space) {
        line.push({ text: ' ', style: 'plain' });
        used += 1;
        space = false;
      }
      while (used + columns(word) > w) {
        const head = fitting(word, Math.max(1, w - used));
        line.push({ text: head, style: seg.style });
        word = word.slice(head.length);
        newLine();
      }
      if (word) {
        line.push({ text: word, style: seg.style });
        used += columns(word);
        empty = false;
      }
    }
  }
  if (!empty || lines.length === 0) lines.push(line);
  return lines;
}

/** Inline tokens (text, code, emphasis, links) to styled segments. */
function inlineSegments(children: readonly Token[] | null, base: Style = 'plain'): Segment[] {
  const out: Segment[] = [];
  const stack: Style[] = [base];
  let href: string | undefined;
  for (const t of children ?? []) {
    const style = stack.at(-1)!;
    switch (t.type) {
      case 'text':
        out.push({ text: t.content, style });
        break;
      case 'code_inline':
        out.push({ text: t.content, style: 'code' });
        break;
      case 'softbreak':
        out.push({ text: ' ', style });
        break;
      case 'hardbreak':
        out.push({ text: '\n', style });
        break;
      case 'strong_open':
        stack.push('strong');
        break;
      case 'em_open':
        stack.push(style === 'strong' ? 'strong' : 'em');
        break;
      case 'link_open':
        href = String(t.attrGet('href') ?? '') || undefined;
        stack.push('link');
        break;
      case 'link_close':
        stack.pop();
        if (href && !/^#/.test(href)) out.push({ text: ` (${href})`, style: 'plain' });
        href = undefined;
        break;
      case 'strong_close':
      case 'em_close':
        stack.pop();
        break;
      case 'image':
        out.push({ text: `[image: ${t.content}]`, style: 'em' });
        break;
      default:
        if (t.content) out.push({ text: t.content, style });
    }
  }
  return out;
}

/** Colours one shell line: commands, flags, quoted strings, variables, comments. */
export function highlightShell(line: string): Segment[] {
  const out: Segment[] = [];
  const re = /(#.*$)|('[^']*'?|"(?:[^"\\]|\\.)*"?)|(\$\{?\w+\}?|\$\()|(\s+)|(\|\||&&|[|;&])|([^\s'"|;&]+)/g;
  let expectCommand = true;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const [text, comment, str, variable, space, op, word] = m;
    if (comment !== undefined && (m.index === 0 || /\s$/.test(line.slice(0, m.index)))) out.push({ text, style: 'comment' });
    else if (str !== undefined) out.push({ text, style: 'string' });
    else if (variable !== undefined) out.push({ text, style: 'variable' });
    else if (space !== undefined) out.push({ text, style: 'codeblock' });
    else if (op !== undefined) {
      out.push({ text, style: 'codeblock' });
      expectCommand = true;
      continue;
    } else if (word !== undefined || comment !== undefined) {
      const isEnvAssign = /^\w+=/.test(text);
      if (expectCommand && !isEnvAssign && text !== 'sudo') {
        out.push({ text, style: 'command' });
        expectCommand = false;
      } else out.push({ text, style: /^--?[\w-]/.test(text) ? 'flag' : 'codeblock' });
      continue;
    }
    if (space === undefined && variable === undefined) expectCommand = false;
  }
  return out;
}

function codeLines(content: string, lang: string, width: number): Line[] {
  const bar: Segment = { text: '  ', style: 'plain' };
  const lines = content.replace(/\n$/, '').split('\n');
  return lines.flatMap((l): Line[] => {
    const segs = SHELL_LANGS.has(lang) ? highlightShell(l) : [{ text: l, style: 'codeblock' as const }];
    // Code keeps its spacing: cut long lines at the width instead of re-flowing words.
    const out: Segment[][] = [[bar]];
    let used = 2;
    for (const s of segs) {
      let text = s.text;
      while (used + columns(text) > width && width > 4) {
        const head = fitting(text, width - used);
        out.at(-1)!.push({ text: head, style: s.style });
        text = text.slice(head.length);
        out.push([{ text: '  ↪ ', style: 'comment' }]);
        used = 4;
      }
      if (text) out.at(-1)!.push({ text, style: s.style });
      used += columns(text);
    }
    return out;
  });
}

function tableLines(rows: Segment[][][], width: number): Line[] {
  const cols = Math.max(...rows.map((r) => r.length));
  const cellText = (c: Segment[] | undefined) => (c ?? []).map((s) => s.text).join('');
  const widths = Array.from({ length: cols }, (_, i) => Math.max(...rows.map((r) => columns(cellText(r[i])))));
  const total = widths.reduce((a, b) => a + b, 0) + 3 * (cols - 1) + 2;
  if (total > width) {
    // Too wide for this terminal: one row per paragraph, cells separated by a bar.
    return rows.flatMap((r, ri) =>
      wrap(
        r.flatMap((c, i) => [...(i ? [{ text: ' │ ', style: 'comment' as const }] : []), ...c]),
        width,
        [{ text: '  ', style: ri === 0 ? 'tableHead' : 'plain' }],
      ),
    );
  }
  const out: Line[] = [];
  rows.forEach((r, ri) => {
    const line: Segment[] = [{ text: '  ', style: 'plain' }];
    for (let i = 0; i < cols; i++) {
      if (i) line.push({ text: ' │ ', style: 'comment' });
      const cell = r[i] ?? [];
      line.push(...cell.map((s) => (ri === 0 ? { text: s.text, style: 'tableHead' as const } : s)));
      line.push({ text: ' '.repeat(widths[i]! - columns(cellText(cell))), style: 'plain' });
    }
    out.push(line);
    if (ri === 0) out.push([{ text: `  ${widths.map((w) => '─'.repeat(w)).join('─┼─')}`, style: 'comment' }]);
  });
  return out;
}

/** Lays out Markdown for a terminal `width` columns wide. */
export function renderMarkdown(source: string, width: number): Line[] {
  const tokens = md.parse(source, {});
  const out: Line[] = [];
  const blank = () => {
    if (out.length && out.at(-1)!.length) out.push([]);
  };
  const lists: Array<{ ordered: boolean; n: number }> = [];
  let quote = 0;
  let itemPrefix: Segment[] | undefined;
  let table: Segment[][][] | undefined;
  let row: Segment[][] | undefined;
  const indent = () => '  '.repeat(Math.max(0, lists.length - 1));
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const quotePrefix: Segment[] = quote ? [{ text: '│ '.repeat(quote), style: 'quote' }] : [];
    switch (t.type) {
      case 'heading_open': {
        blank();
        const level = Number(t.tag.slice(1));
        const text = inlineSegments(tokens[i + 1]?.children ?? null, 'heading');
        const lines = wrap(text, width);
        out.push(...lines);
        // Level 1 and 2 are underlined (═, ─); deeper levels are just bold and coloured.
        const widest = Math.min(width, Math.max(...lines.map((l) => l.reduce((n, s) => n + columns(s.text), 0))));
        if (level <= 2) out.push([{ text: (level === 1 ? '═' : '─').repeat(widest), style: 'heading' }]);
        i += 2;
        out.push([]);
        break;
      }
      case 'bullet_list_open':
      case 'ordered_list_open':
        lists.push({ ordered: t.type === 'ordered_list_open', n: Number(t.attrGet('start') ?? 1) });
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        lists.pop();
        if (!lists.length) blank();
        break;
      case 'list_item_open': {
        const l = lists.at(-1)!;
        itemPrefix = [{ text: `${indent()}${l.ordered ? `${l.n++}.` : '•'} `, style: 'bullet' }];
        break;
      }
      case 'blockquote_open':
        quote++;
        break;
      case 'blockquote_close':
        quote--;
        blank();
        break;
      case 'inline': {
        if (table && row) {
          row.push(inlineSegments(t.children));
          break;
        }
        const segs = inlineSegments(t.children, quote ? 'quote' : 'plain');
        if (lists.length) {
          const first = itemPrefix ?? [{ text: `${indent()}  `, style: 'plain' as const }];
          const rest = [{ text: ' '.repeat(columns(first[0]!.text)), style: 'plain' as const }];
          out.push(...wrap(segs, width, [...quotePrefix, ...first], [...quotePrefix, ...rest]));
          itemPrefix = undefined;
        } else {
          out.push(...wrap(segs, width, quotePrefix));
          out.push([]);
        }
        break;
      }
      case 'fence':
      case 'code_block':
        blank();
        out.push(...codeLines(t.content, t.info.trim().split(/\s+/)[0] ?? '', width));
        out.push([]);
        break;
      case 'hr':
        blank();
        out.push([{ text: '─'.repeat(Math.min(width, 40)), style: 'rule' }]);
        out.push([]);
        break;
      case 'table_open':
        blank();
        table = [];
        break;
      case 'tr_open':
        row = [];
        break;
      case 'tr_close':
        if (row) table?.push(row);
        row = undefined;
        break;
      case 'table_close':
        if (table) out.push(...tableLines(table, width));
        table = undefined;
        out.push([]);
        break;
      default:
        break;
    }
  }
  while (out.length && out.at(-1)!.length === 0) out.pop();
  return out;
}

export const lineText = (l: Line): string => l.map((s) => s.text).join('');
