#!/usr/bin/env node
// Writes the README's table of labs by engine from the engine matrix's results (`npm run test:engines` leaves one
// JSON file per engine in LEAN_LABS_ENGINE_RESULTS, default <tmp>/lean-labs-engine-results). Only the part between
// the two engine-matrix markers changes; an engine with no results keeps its column as it was.
//
//   npm run engines:table            rewrite README.md
//   npm run engines:table -- --check exit 1 if README.md's table differs from what the results say
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BEGIN = '<!-- engine-matrix:begin -->';
const END = '<!-- engine-matrix:end -->';
const ORDER = ['host', 'vm', 'vm-rootless'];
const HEAD = { host: 'this machine (cgroup v1)', vm: 'VM over TCP (cgroup v2, containerd store)', 'vm-rootless': 'rootless in the VM' };

const resultsDir = process.env.LEAN_LABS_ENGINE_RESULTS ?? join(tmpdir(), 'lean-labs-engine-results');
const readme = join(process.cwd(), 'README.md');

/** The cells the README has now, by engine then lab: kept for engines this run has no results for. */
export function currentCells(text) {
  const body = text.slice(text.indexOf(BEGIN), text.indexOf(END));
  const lines = body.split('\n').filter((l) => l.startsWith('|'));
  if (lines.length < 2) return {};
  const heads = lines[0]
    .split('|')
    .slice(2, -1)
    .map((h) => h.trim());
  const engines = heads.map((h) => Object.keys(HEAD).find((k) => HEAD[k] === h));
  const cells = {};
  for (const row of lines.slice(2)) {
    const cols = row
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const lab = cols[0].replace(/`/g, '');
    engines.forEach((e, i) => {
      if (e) (cells[e] ??= {})[lab] = cols[i + 1];
    });
  }
  return cells;
}

const cell = (l) => {
  if (l.status === 'passed') return `✓ ${Math.round(l.ms / 1000)} s`;
  if (l.status === 'unsupported') return `not here: ${(l.reasons ?? []).map((r) => r.split(':')[0]).join(', ')}`;
  return '✗ fails';
};

export function renderTable(results, previous = {}) {
  const engines = ORDER.filter((e) => results[e] || previous[e]);
  const labs = [...new Set(engines.flatMap((e) => (results[e] ? results[e].labs.map((l) => l.lab) : Object.keys(previous[e] ?? {}))))];
  const rows = labs.map((lab) => {
    const cols = engines.map((e) => {
      if (!results[e]) return previous[e]?.[lab] ?? '';
      const l = results[e].labs.find((x) => x.lab === lab);
      return l ? cell(l) : 'not run';
    });
    return `| \`${lab}\` | ${cols.join(' | ')} |`;
  });
  return [`| lab | ${engines.map((e) => HEAD[e]).join(' | ')} |`, `|---|${engines.map(() => '---').join('|')}|`, ...rows].join('\n');
}

function main() {
  const text = readFileSync(readme, 'utf8');
  if (!text.includes(BEGIN) || !text.includes(END)) {
    console.error(`README.md has no ${BEGIN} … ${END} section to write the table into.`);
    process.exit(2);
  }
  const results = {};
  if (existsSync(resultsDir))
    for (const f of readdirSync(resultsDir))
      if (f.endsWith('.json')) {
        const r = JSON.parse(readFileSync(join(resultsDir, f), 'utf8'));
        results[r.engine] = r;
      }
  if (!Object.keys(results).length) {
    console.error(`No engine results in ${resultsDir}: run \`npm run test:engines\` first (LEAN_LABS_ENGINE_RESULTS says where they go).`);
    process.exit(1);
  }
  const table = renderTable(results, currentCells(text));
  const next = `${text.slice(0, text.indexOf(BEGIN) + BEGIN.length)}\n${table}\n${text.slice(text.indexOf(END))}`;
  if (process.argv.includes('--check')) {
    if (next !== text) {
      console.error("README.md's engine table differs from the results: run `npm run engines:table`.");
      process.exit(1);
    }
    console.log("README.md's engine table matches the results.");
    return;
  }
  writeFileSync(readme, next);
  console.log(`README.md: the engine table now shows ${Object.keys(results).join(', ')} (from ${resultsDir}).`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
