#!/usr/bin/env node
/**
 * The dependency rule, checked on every lint: the program's files stand in layers, and a file imports only from its
 * own layer or those below it; no files import each other in a circle. What fails names the import, both layers, and
 * what to do. Type-only imports count too: a type that must be shared belongs in the lower of the two places.
 *
 * Run it: `node build/layers.mjs` (part of `npm run lint`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Lowest first. A file belongs to the layer of the longest pattern that names it (a file, or a folder ending in /). */
export const LAYERS = [
  [
    'base: text, errors, paths, atomic files, the code cache',
    ['runner/text/', 'runner/errors.ts', 'runner/paths.ts', 'runner/atomic-file.ts', 'runner/code-cache.ts', 'runner/bug-report.ts', 'runner/launcher.ts', 'runner/common-js.ts'],
  ],
  ["lab data: a lab's types, requirement names", ['runner/lab/types.ts', 'runner/lab/requirement-names.ts', 'runner/lab/errors.ts']],
  ['processes: the one way to run one', ['runner/host/run.ts', 'runner/host/process-identity.ts']],
  ['docker: the one adapter to the engine', ['runner/docker/']],
  ["host: this machine's engine, its cgroups, the lab images", ['runner/host/', 'runner/images/']],
  ['checks: kinds and their judgement', ['runner/checks/']],
  ['lab: parsing and loading labs', ['runner/lab/']],
  ['engine: sessions, verify, ownership', ['runner/engine/']],
  ['front-end cores: the tutor, reporters', ['runner/tutor/', 'runner/reporters/']],
  ['front-ends: the Ink UI, slides', ['runner/ui/', 'runner/slides/']],
  ['commands', ['runner/commands/']],
  [
    "classroom core: protocol, events, the sandbox's recipe, the runner's class hooks",
    [
      'classroom/events.ts',
      'classroom/protocol.ts',
      'classroom/sandbox-seccomp.ts',
      'classroom/sandbox-spec.ts',
      'classroom/outbox.ts',
      'classroom/class-files.ts',
      'classroom/runner-progress.ts',
      'classroom/runner-hooks.ts',
      'classroom/class-image.ts',
    ],
  ],
  ['classroom parts: server, sandbox agent, client, web pages', ['classroom/server/', 'classroom/sandbox/', 'classroom/client/', 'classroom/web/']],
  ['classroom commands', ['classroom/cli/']],
  ['entry: the command table and main, which wire the runner and the classroom together', ['runner/main.ts', 'runner/commands/table.ts', 'runner/cli.ts']],
  ['bench', ['bench/']],
];

const ROOTS = ['runner', 'classroom', 'bench'];

/** The layer index of a file, or -1 when no pattern names it. */
export function layerOf(file) {
  let best = -1;
  let bestLength = -1;
  LAYERS.forEach(([, patterns], i) => {
    for (const p of patterns) {
      const hit = p.endsWith('/') ? file.startsWith(p) : file === p;
      if (hit && p.length > bestLength) {
        best = i;
        bestLength = p.length;
      }
    }
  });
  return best;
}

/** Relative imports of a TypeScript source (static, re-exports, dynamic), as files of the tree. */
export function importsOf(file, text, exists = existsSync) {
  const found = new Set();
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g)) {
    const base = resolve(dirname(file), m[1] ?? m[2]).replace(/\.js$/, '');
    const target = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((c) => exists(c));
    if (target) found.add(relative(process.cwd(), target));
  }
  return [...found];
}

/** The import problems of a graph (file -> files): imports into a higher layer, files no layer names, circles. */
export function problems(graph) {
  const out = [];
  for (const [file, targets] of Object.entries(graph)) {
    const from = layerOf(file);
    if (from < 0) {
      out.push(`${file} is in no layer: add it to LAYERS in build/layers.mjs, where its imports and importers put it.`);
      continue;
    }
    for (const t of targets) {
      const to = layerOf(t);
      if (to > from) out.push(`${file} imports ${t}: "${LAYERS[from][0]}" may not import from "${LAYERS[to][0]}", a layer above it. Move what both need down, or have the layer above hand it in.`);
    }
  }
  for (const circle of circles(graph)) out.push(`These files import each other in a circle: ${circle.join(' -> ')} -> ${circle[0]}. Move what they share into a file they both import.`);
  return out;
}

/** Strongly connected sets of more than one file (Tarjan), each as a path around it. */
function circles(graph) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph[v] ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const set = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        set.push(w);
      } while (w !== v);
      if (set.length > 1) found.push(set.reverse());
    }
  };
  for (const v of Object.keys(graph)) if (!index.has(v)) visit(v);
  return found;
}

function sources(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const graph = {};
  for (const f of ROOTS.flatMap((r) => sources(r))) graph[f] = importsOf(f, readFileSync(f, 'utf8'));
  const found = problems(graph);
  if (found.length) {
    process.stderr.write(`The layers do not hold (${found.length}):\n${found.map((p) => `  ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  const edges = Object.values(graph).reduce((n, t) => n + t.length, 0);
  process.stdout.write(`Layers hold: ${Object.keys(graph).length} files, ${edges} imports, ${LAYERS.length} layers, no circles.\n`);
}
