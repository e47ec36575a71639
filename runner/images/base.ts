import { UserError } from '../errors.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DockerPort, ImagePort } from '../docker/port.js';
import { debianMirror } from '../host/apt.js';
import { run, which } from '../host/proc.js';
import { BASE_IMAGE } from './catalog.js';

export type BaseSource = 'present' | 'pulled' | 'bootstrapped';

const PULL_TIMEOUT_MS = 20_000;

/** Makes sure the Debian base exists: present, else pulled, else made from Debian's packages. */
export async function ensureBase(
  docker: DockerPort & ImagePort,
  say: (line: string) => void,
  opts: { allowInstall: boolean },
): Promise<BaseSource> {
  if (await docker.inspectImage(BASE_IMAGE)) return 'present';
  say(`${BASE_IMAGE} is not on this engine; trying to pull it…`);
  if (await docker.tryPull(BASE_IMAGE, PULL_TIMEOUT_MS)) return 'pulled';
  say('No registry answered. Making the base from Debian\'s packages instead (debootstrap, then import: about half a minute).');
  await bootstrapBase(docker, say, opts);
  return 'bootstrapped';
}

export async function bootstrapBase(docker: ImagePort, say: (line: string) => void, opts: { allowInstall: boolean }): Promise<void> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0)
    throw new UserError(
      `${BASE_IMAGE} is missing and no registry answered. Making it needs Linux and root (debootstrap).\n` +
        `  Run \`sudo npx lean-labs images bootstrap\`, or load a ${BASE_IMAGE} image into the engine yourself.`,
    );
  if (!(await which('debootstrap'))) {
    if (!opts.allowInstall)
      throw new UserError('debootstrap is not installed. Install it (`apt-get install debootstrap`) or pass --yes to let lean-labs do it.');
    say('Installing debootstrap…');
    await run('apt-get', ['install', '-y', '-q', 'debootstrap'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
  }
  const mirror = debianMirror();
  if (!mirror)
    throw new UserError('lean-labs found no Debian mirror in /etc/apt. Set LEAN_LABS_DEBIAN_MIRROR to the mirror URL and try again.');
  const root = mkdtempSync(join(tmpdir(), 'lean-labs-base-'));
  const t0 = Date.now();
  try {
    await run('debootstrap', ['--variant=minbase', 'bookworm', root, mirror], {
      onLine: (line) => {
        if (/^I: (Retrieving|Validating|Extracting|Installing|Configuring|Base system)/.test(line) && !/Retrieving [a-z]/.test(line))
          say(`  debootstrap: ${line.slice(3)}`);
      },
    });
    // Downloaded packages and package lists are 80 MB the image does not need: Dockerfiles run apt-get update.
    for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists'])
      for (const f of readdirSync(join(root, dir))) if (f !== 'partial' && f !== 'lock') rmSync(join(root, dir, f), { recursive: true, force: true });
    say(`  filesystem ready in ${((Date.now() - t0) / 1000).toFixed(0)} s; importing…`);
    const tar = spawn('tar', ['-C', root, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await docker.importImage(tar.stdout, BASE_IMAGE, ['CMD ["bash"]']);
    say(`  ${BASE_IMAGE} made in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
