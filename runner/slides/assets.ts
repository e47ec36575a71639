/** The deck's styles and script, inlined into every page so a deck works from file:// with no network. */

export const DECK_CSS = `
:root { --bg: #0f1722; --fg: #e8edf2; --dim: #8ea0b3; --accent: #4cc3ff; --code-bg: #16212f; --ok: #7bd88f; --warn: #ffcc66; --str: #d7a6ff; }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; background: #05080c; color: var(--fg); font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
#deck { position: relative; width: 100vw; height: 100vh; overflow: hidden; }
.slide { display: none; position: absolute; left: 50%; top: 50%; width: 1280px; height: 720px; margin: -360px 0 0 -640px; transform: scale(var(--scale, 1)); }
.slide.current { display: block; }
.frame { position: relative; width: 1280px; height: 720px; background: var(--bg); overflow: hidden; }
.content { position: absolute; inset: 48px 72px 64px 72px; overflow: hidden; font-size: 28px; line-height: 1.4; }
.content h1 { font-size: 60px; margin: 0 0 24px; color: var(--accent); line-height: 1.15; }
.content h2 { font-size: 44px; margin: 0 0 24px; color: var(--accent); line-height: 1.15; }
.content h3 { font-size: 32px; margin: 0 0 16px; }
.content p { margin: 0 0 18px; }
.content ul, .content ol { margin: 0 0 18px; padding-left: 36px; }
.content li { margin: 4px 0; }
.content code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.88em; color: var(--warn); }
.content pre.code { background: var(--code-bg); border-radius: 8px; padding: 16px 20px; margin: 0 0 18px; font-size: 22px; line-height: 1.35; white-space: pre-wrap; word-break: break-word; }
.content pre.code code { color: var(--fg); font-size: 1em; }
.content table { border-collapse: collapse; font-size: 24px; margin: 0 0 18px; }
.content th, .content td { border-bottom: 1px solid #2a3a4d; padding: 6px 14px; text-align: left; }
.content blockquote { margin: 0 0 18px; padding-left: 20px; border-left: 4px solid var(--accent); color: var(--dim); }
.content strong { color: #fff; }
.t-command { color: var(--ok); font-weight: bold; } .t-flag { color: var(--warn); } .t-string { color: var(--str); }
.t-comment { color: var(--dim); } .t-variable { color: var(--accent); }
.hands-on { position: absolute; left: 0; right: 0; bottom: 0; background: #12324a; border-left: 6px solid var(--accent); padding: 12px 18px; font-size: 24px; }
.hands-on .label { text-transform: uppercase; letter-spacing: 0.08em; font-size: 18px; color: var(--accent); margin-right: 8px; }
.hands-on a { color: #fff; }
.hands-on .minutes { color: var(--dim); margin-left: 8px; }
footer { position: absolute; left: 72px; right: 72px; bottom: 18px; display: flex; justify-content: space-between; font-size: 18px; color: var(--dim); }
.notes { display: none; }
#goto { position: fixed; right: 24px; bottom: 24px; background: #12324a; padding: 10px 16px; border-radius: 6px; font-size: 20px; }
body.presenting #deck { display: none; }
#presenter { display: grid; grid-template-columns: 2fr 1fr; gap: 16px; padding: 16px; height: 100vh; }
#presenter[hidden] { display: none; }
.p-label { color: var(--dim); font-size: 14px; text-transform: uppercase; margin-bottom: 6px; }
.p-slot { position: relative; width: 100%; aspect-ratio: 16 / 9; overflow: hidden; }
.p-slot .frame { transform-origin: 0 0; position: absolute; left: 0; top: 0; }
.p-clock { font-size: 28px; margin: 16px 0; }
.p-notes { font-size: 22px; line-height: 1.4; overflow: auto; max-height: 50vh; }
body.lab-page { overflow: auto; height: auto; }
.lab-page article { max-width: 900px; margin: 0 auto; padding: 32px; line-height: 1.5; font-size: 18px; }
.lab-page h1, .lab-page h2 { color: var(--accent); }
.lab-page pre { background: var(--code-bg); padding: 12px; border-radius: 6px; white-space: pre-wrap; }
.lab-page code { color: var(--warn); }
.lab-page .start { background: #12324a; padding: 10px 14px; border-radius: 6px; }
@media print {
  @page { size: 1280px 720px; margin: 0; }
  html, body { background: var(--bg); height: auto; }
  #deck { width: auto; height: auto; overflow: visible; }
  .slide, .slide.current { display: block; position: relative; left: 0; top: 0; margin: 0; transform: none; page-break-after: always; break-after: page; }
  #presenter, #goto { display: none !important; }
}
`;

export const DECK_SCRIPT = `
(() => {
  const slides = Array.from(document.querySelectorAll('#deck .slide'));
  const deck = document.body.dataset.deck;
  const presenting = location.hash.startsWith('#presenter');
  let current = 0;
  let digits = '';
  let channel = null;
  try { channel = new BroadcastChannel('lean-labs-' + deck); } catch (e) { channel = null; }
  const started = Date.now();
  const fromHash = () => { const m = /(\\d+)$/.exec(location.hash); return m ? Math.max(0, Math.min(slides.length - 1, Number(m[1]) - 1)) : 0; };
  const fit = () => {
    const s = Math.min(window.innerWidth / 1280, window.innerHeight / 720);
    document.documentElement.style.setProperty('--scale', String(s));
    for (const slot of document.querySelectorAll('.p-slot')) {
      const f = slot.querySelector('.frame');
      if (f) f.style.transform = 'scale(' + slot.clientWidth / 1280 + ')';
    }
  };
  const overflowing = (slide) => {
    const c = slide.querySelector('.content');
    const hands = slide.querySelector('.hands-on');
    const limit = c.clientHeight - (hands ? hands.offsetHeight : 0);
    let bottom = 0;
    for (const el of c.children) if (el !== hands) bottom = Math.max(bottom, el.offsetTop + el.offsetHeight);
    return bottom > limit + 1 || c.scrollWidth > c.clientWidth + 1;
  };
  const renderPresenter = () => {
    const put = (id, slide) => {
      const slot = document.getElementById(id);
      slot.innerHTML = '';
      if (slide) slot.appendChild(slide.querySelector('.frame').cloneNode(true));
    };
    put('p-now', slides[current]);
    put('p-next', slides[current + 1]);
    document.getElementById('p-notes').innerHTML = slides[current].querySelector('.notes').innerHTML || '<p><em>No notes for this slide.</em></p>';
    document.getElementById('p-count').textContent = (current + 1) + ' / ' + slides.length;
    fit();
  };
  const show = (i, broadcast = true) => {
    current = Math.max(0, Math.min(slides.length - 1, i));
    slides.forEach((s, k) => s.classList.toggle('current', k === current));
    const hash = (presenting ? '#presenter/' : '#/') + (current + 1);
    if (location.hash !== hash) history.replaceState(null, '', hash);
    if (presenting) renderPresenter();
    if (broadcast && channel) channel.postMessage({ index: current });
  };
  if (channel) channel.onmessage = (e) => show(e.data.index, false);
  const tick = () => {
    const now = new Date();
    const el = document.getElementById('p-time');
    if (!el) return;
    el.textContent = now.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const s = Math.floor((Date.now() - started) / 1000);
    document.getElementById('p-elapsed').textContent = Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  };
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key;
    const goto = document.getElementById('goto');
    if (/^[0-9]$/.test(k)) { digits += k; goto.hidden = false; document.getElementById('goto-digits').textContent = digits; return; }
    if (k === 'Enter' && digits) { show(Number(digits) - 1); digits = ''; goto.hidden = true; return; }
    if (k === 'Escape') { digits = ''; goto.hidden = true; return; }
    if (['ArrowRight', 'ArrowDown', 'PageDown', ' ', 'n', 'l'].includes(k)) show(current + 1);
    else if (['ArrowLeft', 'ArrowUp', 'PageUp', 'p', 'h', 'Backspace'].includes(k)) show(current - 1);
    else if (k === 'Home') show(0);
    else if (k === 'End') show(slides.length - 1);
    else if (k === 's' && !presenting) window.open(location.pathname + '#presenter/' + (current + 1), 'lean-labs-presenter');
    else return;
    e.preventDefault();
  });
  window.addEventListener('resize', fit);
  window.addEventListener('hashchange', () => show(fromHash(), false));
  if (presenting) {
    document.body.classList.add('presenting');
    document.getElementById('presenter').hidden = false;
    setInterval(tick, 1000);
    tick();
  }
  fit();
  show(fromHash(), false);
  window.leanDeck = { count: slides.length, current: () => current, go: (i) => show(i), overflowing: () => slides.map((s, i) => ({ index: i, overflow: overflowing(s) })) };
})();
`;
