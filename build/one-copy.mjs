/**
 * An esbuild plugin that bundles one copy of each package version, and one version of the packages it is told to.
 * npm nests a copy of a package under every dependant whose range the top-level copy does not meet, and several of
 * those copies can be the same version
 * (string-width 8.3.0 three times, under ink, widest-line and cli-truncate). Bundled as they are, each copy is
 * evaluated again when the program starts: string-width's each make an Intl.Segmenter and compile their own emoji
 * expressions. The copy chosen is the first path in sorted order, so every build is the same.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

function packagesUnder(modules, found) {
  if (!existsSync(modules)) return;
  for (const entry of readdirSync(modules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dirs = entry.name.startsWith('@') ? readdirSync(join(modules, entry.name)).map((n) => join(modules, entry.name, n)) : [join(modules, entry.name)];
    for (const dir of dirs) {
      const manifest = join(dir, 'package.json');
      if (existsSync(manifest)) {
        const { name, version } = JSON.parse(readFileSync(manifest, 'utf8'));
        const key = `${name}@${version}`;
        const seen = found.get(key);
        if (!seen || dir < seen) found.set(key, dir);
      }
      packagesUnder(join(dir, 'node_modules'), found);
    }
  }
}

/** The package folder a resolved file is in: the one right under its last node_modules. */
function packageDir(file) {
  const marker = `${sep}node_modules${sep}`;
  const at = file.lastIndexOf(marker);
  if (at < 0) return undefined;
  const rest = file.slice(at + marker.length).split(sep);
  const depth = rest[0]?.startsWith('@') ? 2 : 1;
  return file.slice(0, at + marker.length) + rest.slice(0, depth).join(sep);
}

/**
 * `resolveFrom` names packages that are taken as one chosen folder sees them, whoever imports them (its value: that
 * folder, relative to `root`).
 */
export function oneCopyPerVersion(resolveFrom = {}, root = process.cwd()) {
  const canonical = new Map();
  packagesUnder(join(root, 'node_modules'), canonical);
  return {
    name: 'one-copy-per-version',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (a) => {
        if (a.pluginData?.oneCopy) return undefined;
        const from = resolveFrom[a.path];
        const resolveDir = from ? join(root, from) : a.resolveDir;
        const r = await b.resolve(a.path, { resolveDir, kind: a.kind, importer: a.importer, pluginData: { oneCopy: true } });
        // Left to esbuild as it would be without this plugin: a require() in a try/catch that finds nothing, say.
        if (r.errors.length) return undefined;
        if (r.external || r.namespace !== 'file') return r;
        const dir = packageDir(r.path);
        if (!dir) return r;
        const { name, version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        const chosen = canonical.get(`${name}@${version}`);
        return chosen && chosen !== dir ? { ...r, path: chosen + r.path.slice(dir.length) } : r;
      });
    },
  };
}
