import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLabs } from '../../runner/lab/load.js';
import { loadDecks } from '../../runner/slides/deck.js';
import { serveDeck } from '../../runner/slides/site.js';
import { cli, ROOT } from '../integration/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
// Chromium on a machine with no network: no background connections, no first-run work, a fresh profile.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * The decks in a real browser (Debian's Chromium driven by playwright-core): keyboard navigation, every slide
 * inside its 16:9 frame, and the static copy working from file:// without a single request leaving it.
 */
describe('slides in a real browser', () => {
  let browser: Browser;
  const labs = loadLabs(join(ROOT, 'labs'));
  const decks = loadDecks(
    join(ROOT, 'slides'),
    labs.map((l) => l.id),
  );
  const shots = process.env.LEAN_LABS_SHOTS ?? mkdtempSync(join(tmpdir(), 'll-slides-'));

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (.ci/run does).`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('ships at least the two decks, each pointing to labs in curriculum order', () => {
    expect(decks.map((d) => d.id).sort()).toEqual(['intro', 'lean']);
    const order = (id: string) => labs.find((l) => l.id === id)!.order!;
    for (const d of decks) {
      const refs = d.slides.flatMap((s) => (s.lab ? [order(s.lab)] : []));
      expect(refs.length).toBeGreaterThanOrEqual(5);
      expect(refs).toEqual([...refs].sort((a, b) => a - b));
    }
  });

  for (const id of ['intro', 'lean']) {
    it(`${id}: keyboard navigation, and every slide fits the 16:9 frame (screenshots in the temp folder)`, async () => {
      const deck = decks.find((d) => d.id === id)!;
      const { server, url } = await serveDeck(deck, labs);
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      try {
        await page.goto(url);
        const current = () => page.evaluate(() => (window as unknown as { leanDeck: { current(): number } }).leanDeck.current());
        expect(await page.locator('.slide.current footer .number').textContent()).toBe(`1 / ${deck.slides.length}`);
        await page.keyboard.press('ArrowRight');
        await page.keyboard.press('Space');
        expect(await current()).toBe(2);
        await page.keyboard.press('ArrowLeft');
        expect(await current()).toBe(1);
        await page.keyboard.press('End');
        expect(await current()).toBe(deck.slides.length - 1);
        await page.keyboard.press('Home');
        expect(await current()).toBe(0);
        await page.keyboard.type('3');
        await page.keyboard.press('Enter');
        expect(await current()).toBe(2);
        expect(page.url()).toMatch(/#\/3$/);

        const overflowing: number[] = [];
        for (let i = 0; i < deck.slides.length; i++) {
          await page.evaluate((n) => (window as unknown as { leanDeck: { go(i: number): void } }).leanDeck.go(n), i);
          await page.screenshot({ path: join(shots, `${id}-${String(i + 1).padStart(2, '0')}.png`) });
          const over = await page.evaluate(() => (window as unknown as { leanDeck: { overflowing(): Array<{ index: number; overflow: boolean }> } }).leanDeck.overflowing());
          if (over[i]!.overflow) overflowing.push(i + 1);
        }
        expect(overflowing, `slides that overflow their frame (see ${shots})`).toEqual([]);

        // Hands-on slides link to their lab and show the command that starts it.
        const hands = page.locator('.slide.has-lab').first();
        expect(await hands.locator('.hands-on code').textContent()).toMatch(/^npx lean-labs start [a-z-]+$/);
        const href = await hands.locator('.hands-on a').getAttribute('href');
        const labPage = await page.request.get(new URL(href!, url).toString());
        expect(labPage.status()).toBe(200);
        expect(await labPage.text()).toContain('npx lean-labs start');

        // The presenter view: current and next slide, the notes, a clock.
        const presenter = await browser.newPage({ viewport: { width: 1280, height: 720 } });
        await presenter.goto(`${url}#presenter/2`);
        await expect.poll(() => presenter.locator('#p-count').textContent()).toBe(`2 / ${deck.slides.length}`);
        expect(deck.slides[1]!.notes).not.toBe('');
        expect(await presenter.locator('#p-notes').textContent()).toContain(deck.slides[1]!.notes.slice(0, 30));
        expect(await presenter.locator('#p-next .frame').count()).toBe(1);
        expect(await presenter.locator('#p-time').textContent()).toMatch(/\d/);
        await presenter.close();
      } finally {
        await page.close();
        server.close();
      }
    });
  }

  it('the overflow check catches a slide that does not fit', async () => {
    const long = `---\nid: long\ntitle: Long\nsummary: S\n---\n\n# Too much\n\n${Array.from({ length: 30 }, (_, i) => `- point ${i + 1}`).join('\n')}\n`;
    const { parseDeck } = await import('../../runner/slides/deck.js');
    const { server, url } = await serveDeck(parseDeck(long, 'long.md', []), labs);
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    try {
      await page.goto(url);
      const over = await page.evaluate(() => (window as unknown as { leanDeck: { overflowing(): Array<{ overflow: boolean }> } }).leanDeck.overflowing());
      expect(over).toEqual([{ index: 0, overflow: true }]);
    } finally {
      await page.close();
      server.close();
    }
  });

  it('the static copy opens from file:// and makes no request off the machine', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'll-export-')), 'intro');
    const r = await cli(['slides', 'intro', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(join(out, 'index.html'));
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const requests: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    await page.goto(`file://${join(out, 'index.html')}`);
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('.slide.current footer .number').textContent()).toMatch(/^2 \//);
    // A PDF of the print layout: one page per slide.
    const pdf = await page.pdf({ width: '1280px', height: '720px', printBackground: true });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    expect(pages).toBe(decks.find((d) => d.id === 'intro')!.slides.length);
    await page.close();
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
  });

  it('reports a broken deck at file:line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-deck-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'bad.md'), '---\nid: bad\ntitle: Bad\nsummary: S\n---\n\n# One\n\n```sh\necho never closed\n');
    expect(() => loadDecks(dir, [])).toThrow(/bad\.md:9: this code block is never closed/);
    writeFileSync(join(dir, 'bad.md'), '---\nid: bad\ntitle: Bad\nsummary: S\n---\n\n# One\n\n@lab nowhere\n');
    expect(() => loadDecks(dir, ['namespaces'])).toThrow(/bad\.md:9: there is no lab "nowhere"/);
  });
});
