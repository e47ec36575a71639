import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../runner/paths.js';
import { figure } from './stats.js';

interface PackedFile {
  readonly path: string;
  readonly size: number;
}

/**
 * The package as a learner's `npx` gets it: packed from this build, installed into an empty folder from a warm
 * npm cache (a first install fills a cache of the bench's own, the timed one installs again from it).
 */
export function installFigures(out: string[]): void {
  const work = mkdtempSync(join(tmpdir(), 'll-bench-install-'));
  try {
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: packageRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    ) as Array<{ filename: string; files: PackedFile[] }>;
    const tarball = join(work, packed!.filename);
    const bytes = (files: readonly PackedFile[]) => files.reduce((n, f) => n + f.size, 0) / 1024 ** 2;
    const withoutImages = packed!.files.filter((f) => !f.path.startsWith('images/'));
    out.push(figure('package unpacked, without images/', bytes(withoutImages), 'MB', { max: 3 }));
    out.push(figure('package unpacked, with images/', bytes(packed!.files), 'MB'));
    const cache = join(work, 'npm-cache');
    const install = () => {
      const dir = mkdtempSync(join(work, 'app-'));
      writeFileSync(join(dir, 'package.json'), '{"name":"bench-app","private":true}\n');
      const t0 = performance.now();
      const r = spawnSync('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--cache', cache], { cwd: dir, stdio: 'pipe' });
      const ms = performance.now() - t0;
      if (r.status !== 0) throw new Error(`npm install of the packed package failed: ${r.stderr.toString()}`);
      return { ms, packages: readdirSync(join(dir, 'node_modules')).filter((n) => !n.startsWith('.')).length, scripts: /install-scripts|install script/i.test(r.stderr.toString()) };
    };
    install();
    const warm = install();
    out.push(figure('npm install of the package, warm cache', warm.ms / 1000, 's', { max: 3 }));
    out.push(figure('packages it brings into node_modules', warm.packages, '', { max: 1 }));
    if (warm.scripts) out.push('  npm warned about install scripts');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
