import MarkdownIt from 'markdown-it';
import type { Lab } from '../lab/types.js';
import { highlightShell } from '../tutor/terminal-markdown.js';
import type { Deck } from './deck.js';
import { DECK_CSS, DECK_SCRIPT } from './assets.js';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const SHELL = new Set(['', 'sh', 'shell', 'bash', 'console']);
const DOCKERFILE_WORDS = /^(\s*)(FROM|RUN|COPY|ADD|CMD|ENTRYPOINT|ENV|ARG|WORKDIR|EXPOSE|USER|VOLUME|LABEL|HEALTHCHECK|STOPSIGNAL|SHELL)\b/i;

/** Highlighted code as HTML: shell the way the runner colours it, Dockerfiles and YAML by their keys. */
export function highlight(code: string, lang: string): string {
  const lines = code.replace(/\n$/, '').split('\n');
  if (SHELL.has(lang))
    return lines
      .map((l) =>
        highlightShell(l)
          .map((s) => (s.style === 'codeblock' ? escapeHtml(s.text) : `<span class="t-${s.style}">${escapeHtml(s.text)}</span>`))
          .join(''),
      )
      .join('\n');
  if (lang === 'dockerfile' || lang === 'Dockerfile')
    return lines.map((l) => (/^\s*#/.test(l) ? `<span class="t-comment">${escapeHtml(l)}</span>` : escapeHtml(l).replace(DOCKERFILE_WORDS, '$1<span class="t-command">$2</span>'))).join('\n');
  if (lang === 'yaml' || lang === 'yml')
    return lines.map((l) => (/^\s*#/.test(l) ? `<span class="t-comment">${escapeHtml(l)}</span>` : escapeHtml(l).replace(/^(\s*-?\s*)([\w.-]+):/, '$1<span class="t-flag">$2</span>:'))).join('\n');
  return escapeHtml(code.replace(/\n$/, ''));
}

const md = new MarkdownIt({
  html: false,
  linkify: false,
  typographer: false,
  highlight: (code, lang) => `<pre class="code"><code data-lang="${escapeHtml(lang)}">${highlight(code, lang.trim().split(/\s+/)[0] ?? '')}</code></pre>`,
});

export interface RenderedSlide {
  readonly html: string;
  readonly notesHtml: string;
}

export function renderSlide(markdown: string, notes: string, lab: Lab | undefined, labHref: (id: string) => string): RenderedSlide {
  const hands = lab
    ? `<aside class="hands-on"><span class="label">Hands-on</span> <a href="${escapeHtml(labHref(lab.id))}">${escapeHtml(lab.title)}</a> <code>npx lean-labs start ${escapeHtml(lab.id)}</code> <span class="minutes">${lab.durationMinutes} min</span></aside>`
    : '';
  return { html: md.render(markdown) + hands, notesHtml: notes ? md.render(notes) : '' };
}

/** The whole deck as one self-contained HTML page: no request leaves it (styles and script inline). */
export function renderDeck(deck: Deck, labs: readonly Lab[], labHref: (id: string) => string): string {
  const byId = new Map(labs.map((l) => [l.id, l]));
  const sections = deck.slides
    .map((s) => {
      const r = renderSlide(s.markdown, s.notes, s.lab ? byId.get(s.lab) : undefined, labHref);
      return `<section class="slide${s.lab ? ' has-lab' : ''}" data-index="${s.index}" aria-label="Slide ${s.index + 1}">
<div class="frame"><div class="content">${r.html}</div>
<footer><span class="deck-title">${escapeHtml(deck.title)}</span><span class="number">${s.index + 1} / ${deck.slides.length}</span></footer></div>
<div class="notes">${r.notesHtml}</div>
</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(deck.title)}</title>
<style>${DECK_CSS}</style></head>
<body data-deck="${escapeHtml(deck.id)}">
<main id="deck">
${sections}
</main>
<div id="presenter" hidden>
<div class="p-current"><div class="p-label">Now</div><div class="p-slot" id="p-now"></div></div>
<div class="p-side"><div class="p-label">Next</div><div class="p-slot small" id="p-next"></div>
<div class="p-clock"><span id="p-time"></span> · <span id="p-elapsed">0:00</span> · slide <span id="p-count"></span></div>
<div class="p-notes" id="p-notes"></div></div>
</div>
<div id="goto" hidden>Go to slide: <span id="goto-digits"></span></div>
<script>${DECK_SCRIPT}</script>
</body></html>
`;
}

/** A lab as a readable page, the target of a hands-on slide's link. */
export function renderLabPage(lab: Lab): string {
  const body = md.render(`${lab.intro}\n\n${lab.steps.map((s) => `## ${s.index + 1}. ${s.title}\n\n${s.body}`).join('\n\n')}`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(lab.title)}</title><style>${DECK_CSS}</style></head>
<body class="lab-page"><article>
<p class="start">Start it: <code>npx lean-labs start ${escapeHtml(lab.id)}</code> · ${lab.durationMinutes} min · ${lab.steps.length} steps</p>
${body}
</article></body></html>
`;
}
