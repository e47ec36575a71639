/**
 * Bundles the CLI: the program into one file (dist/lean-labs-main.js) and the package's `bin` (dist/lean-labs.cjs),
 * a small launcher that runs it through V8's code cache. Loading ink, React and the parser from one minified file
 * instead of ~400 modules cuts the runner's start-up roughly in half on Node 20 (see `npm run bench`). Everything the
 * CLI uses is bundled, so the package has no dependencies to install. Runs after tsc (it reads dist/runner).
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { resolve as resolvePath } from 'node:path';
import { Script } from 'node:vm';
import { oneCopyPerVersion } from './one-copy.mjs';
import { fasterGraphemes } from './graphemes/plugin.mjs';
import { BUNDLE_PARAMETERS } from '../dist/runner/code-cache.js';

const MAIN = 'dist/lean-labs-main.js';

// The program, as the body of one async function that dist/lean-labs.cjs compiles with V8's code cache
// (runner/code-cache.ts). A script has no `import`: the Node built-ins are reached through the function's
// `__nodeRequire`, and `import.meta.url` through `__importMetaUrl`.
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const builtinsThroughRequire = {
  name: 'builtins-through-require',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (a) => (builtins.has(a.path) ? { path: a.path, namespace: 'builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (a) => ({ contents: `module.exports = __nodeRequire(${JSON.stringify(a.path)});`, loader: 'js' }));
  },
};
// Yoga's WebAssembly is inlined as a data: URL, which its loader hands to fetch() whenever fetch exists: that loads
// Node's whole fetch implementation at start-up (about 30 ms) to decode base64 the loader decodes itself otherwise.
const yogaWithoutFetch = {
  name: 'yoga-without-fetch',
  setup(b) {
    b.onResolve({ filter: /^yoga-layout$/ }, () => ({ path: resolvePath('build/yoga.mjs') }));
  },
};
const TERMINAL_SIZE = resolvePath('build/lazy/terminal-size.cjs');
const terminalSizeWhenAsked = {
  name: 'terminal-size-when-asked',
  setup(b) {
    b.onResolve({ filter: /^terminal-size$/ }, (a) => (a.importer === TERMINAL_SIZE ? undefined : { path: TERMINAL_SIZE }));
  },
};
const program = await build({
  entryPoints: ['runner/main.ts'],
  outfile: MAIN,
  bundle: true,
  minify: true,
  // The map stays beside the build for developers (a bug report's stack maps with the same version's build) and is
  // not shipped: it would be most of the package's size.
  sourcemap: 'linked',
  sourcesContent: false,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Node 20 has RegExp's v flag; esbuild's tables say otherwise and would rewrite each such literal into a
  // `new RegExp` that is parsed when the module loads (string-width's emoji expression alone: about 15 ms).
  supported: { 'regexp-set-notation': true },
  jsx: 'automatic',
  banner: { js: `(async function (${BUNDLE_PARAMETERS.join(', ')}) {"use strict";` },
  footer: { js: '})' },
  // dockerode is bundled (and evaluated on the first engine call). What it requires at load time for ssh:// (ssh2)
  // and BuildKit sessions (gRPC) is never used: ssh:// goes through the ssh client, builds use the classic API.
  // React and Ink ship development builds that create an Error per element for owner stacks and keep extra
  // bookkeeping; the runner is a product, so the bundle takes the production builds.
  define: { 'process.env.NODE_ENV': '"production"', 'import.meta.url': '__importMetaUrl' },
  // ink loads React DevTools only when DEV is set; the bundle answers that import with a stub.
  // Ink's CI detection would leave the runner's screen blank wherever CI is set, terminal or not: see not-in-ci.js.
  alias: {
    'react-devtools-core': './build/devtools-stub.js',
    'is-in-ci': './build/not-in-ci.js',
    ssh2: './build/lazy/ssh2.cjs',
    '@grpc/grpc-js': './build/lazy/grpc.cjs',
    '@grpc/proto-loader': './build/lazy/proto-loader.cjs',
    protobufjs: './build/lazy/protobufjs.cjs',
  },
  // Ink measures text with string-width 8, and the wrap-ansi it wraps text with pins string-width 7: two copies that
  // each build an Intl.Segmenter and their own emoji expressions when the runner starts, and that can disagree on a
  // width. Every import of string-width takes the one Ink measures with (same call, same answer).
  plugins: [builtinsThroughRequire, yogaWithoutFetch, terminalSizeWhenAsked, fasterGraphemes('node_modules/ink'), oneCopyPerVersion({ 'string-width': 'node_modules/ink' })],
  metafile: true,
  logLevel: 'warning',
});
// Everything is inside: an import left over would fail only when reached, in a learner's hands. (A require() of an
// optional package, bufferutil for ws say, stays: it is tried in a try/catch and goes to the `require` given.)
for (const [out, meta] of Object.entries(program.metafile.outputs)) {
  const imports = meta.imports.filter((i) => i.kind !== 'require-call');
  if (imports.length) throw new Error(`${out} still imports ${imports.map((i) => i.path).join(', ')}: bundle it or reach it through __nodeRequire.`);
}
// Beside the map, for developers: esbuild's account of what the bundle holds and which module imports which.
writeFileSync('dist/lean-labs-main.meta.json', JSON.stringify(program.metafile));
// The launcher reads the program as Latin-1, a plain copy of its bytes (UTF-8 took twice as long, and one character
// past Latin-1 makes V8 keep the whole 1.2 MB source as two bytes a character). esbuild escapes what is not ASCII
// except in regular expression literals (markdown-it's typographer has one), where \uXXXX means the same.
const programText = readFileSync(MAIN, 'utf8').replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
writeFileSync(MAIN, programText);
new Script(programText, { filename: MAIN }); // a syntax error here (an export, a static import) fails the build
const mainHash = createHash('sha256').update(programText).digest('hex').slice(0, 16);

// The command itself: small, so what runs before the cache is read is little.
await build({
  entryPoints: ['runner/cli.ts'],
  outfile: 'dist/lean-labs.cjs',
  bundle: true,
  minify: true,
  platform: 'node',
  // CommonJS: an ES module entry costs Node's module loader ~8 ms before the first line runs.
  format: 'cjs',
  // paths.ts reads import.meta.url only in packageRoot(), which the launcher never calls.
  logOverride: { 'empty-import-meta': 'silent' },
  target: 'node20',
  define: { __LEAN_LABS_MAIN_HASH__: JSON.stringify(mainHash) },
  logLevel: 'warning',
});

// The sandbox agent (the class image's command), alone: what it imports is a small part of the CLI.
await build({
  entryPoints: ['classroom/sandbox/agent-main.ts'],
  outfile: 'dist/class-agent.js',
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});

// The class server's SQLite is WebAssembly: it ships beside the bundle and is read only by the class server.
mkdirSync('dist', { recursive: true });
copyFileSync('node_modules/sql.js/dist/sql-wasm.wasm', 'dist/sql-wasm.wasm');

// The class's web pages: their scripts bundled for the browser (xterm.js included: no CDN, a class may have no
// internet), and the pages and styles copied beside them. The class server serves them from dist/web.
await build({
  entryPoints: { learner: 'classroom/web/learner.ts', dashboard: 'classroom/web/dashboard.ts' },
  outdir: 'dist/web',
  bundle: true,
  minify: true,
  platform: 'browser',
  format: 'iife',
  target: ['chrome110', 'firefox110', 'safari16'],
  logLevel: 'warning',
});
for (const f of ['learner.html', 'dashboard.html', 'dashboard-locked.html', 'class.css']) copyFileSync(`classroom/web/${f}`, `dist/web/${f}`);
copyFileSync('node_modules/@xterm/xterm/css/xterm.css', 'dist/web/xterm.css');
