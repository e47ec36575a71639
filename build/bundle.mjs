/**
 * Bundles the CLI into one file (dist/lean-labs.js), the package's `bin`. Loading ink, React and the parser
 * from one minified file instead of ~400 modules cuts the runner's start-up roughly in half on Node 20 (see
 * `npm run bench`). dockerode stays a normal dependency, loaded when the engine is first called.
 */
import { build } from 'esbuild';

await build({
  entryPoints: ['runner/cli.ts'],
  outfile: 'dist/lean-labs.js',
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  jsx: 'automatic',
  external: ['dockerode'],
  // ink loads React DevTools only when DEV is set; the bundle answers that import with a stub.
  // Ink's CI detection would leave the runner's screen blank wherever CI is set, terminal or not: see not-in-ci.js.
  alias: { 'react-devtools-core': './build/devtools-stub.js', 'is-in-ci': './build/not-in-ci.js' },
  // Some bundled CommonJS packages call require() for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
