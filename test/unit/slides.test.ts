import { describe, expect, it } from 'vitest';
import { parseLab } from '../../runner/lab/parse.js';
import { parseDeck } from '../../runner/slides/deck.js';
import { highlight, renderDeck, renderSlide } from '../../runner/slides/render.js';
import { BOX_LAB } from './box-lab.js';

const deck = (body: string, labs: string[] = ['boxes']) => parseDeck(`---\nid: d\ntitle: A deck\nsummary: S\n---\n\n${body}`, 'd.md', labs);

describe('slide decks: Markdown to slides', () => {
  it('splits slides at --- lines outside code, with notes and the lab each hands on to', () => {
    const d = deck('# One\n\ntext\n\nNote: say this\nand this\n\n---\n\n## Two\n\n```yaml\n---\nkey: v\n```\n\n@lab boxes\n');
    expect(d.slides).toHaveLength(2);
    expect(d.slides[0]).toMatchObject({ markdown: '# One\n\ntext', notes: 'say this\nand this', line: 7 });
    expect(d.slides[1]!.markdown).toContain('---\nkey: v');
    expect(d.slides[1]!.lab).toBe('boxes');
    expect(d.slides[1]!.line).toBe(16);
  });

  it('reports mistakes at file:line with what to write instead', () => {
    expect(() => deck('# One\n\n@lab nope\n')).toThrow(/d\.md:9: there is no lab "nope".*boxes/s);
    expect(() => deck('# One\n\n~~~sh\nls\n')).toThrow(/d\.md:9: this code block is never closed.*~~~/s);
    expect(() => deck('# One\n\n@video x\n')).toThrow(/d\.md:9: unknown directive @video/);
    expect(() => parseDeck('---\nid: d\ntitle: T\n---\n# x\n', 'd.md', [])).toThrow(/d\.md:2: the front matter has no "summary"/);
    expect(() => deck('')).toThrow(/no slides/);
  });

  it('renders a hands-on slide with a link to its lab and the command that starts it', () => {
    const lab = parseLab(BOX_LAB, 'boxes/lab.md', '');
    const r = renderSlide('## Try it\n\n```sh\ndocker run -d --name bx-a img # start\n```', 'notes *here*', lab, (id) => `labs/${id}.html`);
    expect(r.html).toContain('<a href="labs/boxes.html">Boxes</a>');
    expect(r.html).toContain('<code>npx lean-labs start boxes</code>');
    expect(r.html).toContain('<span class="t-command">docker</span>');
    expect(r.html).toContain('<span class="t-flag">--name</span>');
    expect(r.html).toContain('<span class="t-comment"># start</span>');
    expect(r.notesHtml).toContain('<em>here</em>');
  });

  it('escapes what it highlights, and marks Dockerfile instructions', () => {
    expect(highlight('echo "<b>"', 'sh')).toContain('&#60;b&#62;');
    expect(highlight('FROM x\nRUN make', 'dockerfile')).toBe('<span class="t-command">FROM</span> x\n<span class="t-command">RUN</span> make');
  });

  it('makes one self-contained page: numbered slides, no external references', () => {
    const html = renderDeck(deck('# One\n\n---\n\n# Two\n'), [], (id) => id);
    expect(html.match(/<section class="slide/g)).toHaveLength(2);
    expect(html).toContain('2 / 2');
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).toContain("default-src 'none'");
  });
});
