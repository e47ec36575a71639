/**
 * Bundles the CLI into one file (dist/lean-labs.js), the package's `bin`. Loading ink, React and the parser
 * from one minified file instead of ~400 modules cuts the runner's start-up roughly in half on Node 20 (see
 * `npm run bench`). Everything the CLI uses is bundled, so the package has no dependencies to install.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

await build({
  entryPoints: ['runner/cli.ts'],
  outfile: 'dist/lean-labs.js',
  bundle: true,
  minify: true,
  // The map stays beside the build for developers (a bug report's stack maps with the same version's build) and is
  // not shipped: it would be most of the package's size.
  sourcemap: 'linked',
  sourcesContent: false,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  jsx: 'automatic',
  // dockerode is bundled (and evaluated on the first engine call). What it requires at load time for ssh:// (ssh2)
  // and BuildKit sessions (gRPC) is never used: ssh:// goes through the ssh client, builds use the classic API.
  // React and Ink ship development builds that create an Error per element for owner stacks and keep extra
  // bookkeeping; the runner is a product, so the bundle takes the production builds.
  define: { 'process.env.NODE_ENV': '"production"' },
  // ink loads React DevTools only when DEV is set; the bundle answers that import with a stub.
  // Ink's CI detection would leave the runner's screen blank wherever CI is set, terminal or not: see not-in-ci.js.
  alias: {
    'react-devtools-core': './build/devtools-stub.js',
    'is-in-ci': './build/not-in-ci.js',
    ssh2: './build/lazy/ssh2.cjs',
    '@grpc/grpc-js': './build/lazy/grpc.cjs',
    '@grpc/proto-loader': './build/lazy/proto-loader.cjs',
  },
  // Some bundled CommonJS packages call require() for Node built-ins.
  // sql.js (the class server's SQLite) reads __dirname, which an ES module does not have: it is given the bundle's.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; import { fileURLToPath as __toPath } from 'node:url'; import { dirname as __dirOf } from 'node:path'; const require = __createRequire(import.meta.url); const __filename = __toPath(import.meta.url); const __dirname = __dirOf(__filename);",
  },
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
