import { UserError } from '../errors.js';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DockerPort, ImagePort } from '../docker/port.js';
import { debianMirror } from '../host/apt.js';
import { CommandError, mustRun, streamProcess, which } from '../host/run.js';
import { BASE_IMAGE, BOOTSTRAP_BASE } from './catalog.js';

export type BaseSource = 'present' | 'pulled' | 'bootstrapped' | 'made earlier';

export interface Base {
  /** The image builds get as their BASE: the official one, or lean-labs's own made from Debian's packages. */
  readonly ref: string;
  readonly source: BaseSource;
}

const PULL_TIMEOUT_MS = 20_000;

/**
 * Finds the Debian base to build on: the official image when the engine has it or can pull it, else lean-labs's
 * own copy made from Debian's packages (made now if needed). The official name is never used for a home-made image.
 */
export async function ensureBase(docker: DockerPort & ImagePort, say: (line: string) => void, opts: { allowInstall: boolean }): Promise<Base> {
  if (await docker.inspectImage(BASE_IMAGE)) return { ref: BASE_IMAGE, source: 'present' };
  say(`${BASE_IMAGE} is not on this engine; trying to pull it…`);
  if (await docker.tryPull(BASE_IMAGE, PULL_TIMEOUT_MS)) return { ref: BASE_IMAGE, source: 'pulled' };
  if (await docker.inspectImage(BOOTSTRAP_BASE)) {
    say(`No registry answered; building on ${BOOTSTRAP_BASE}, made earlier from Debian's packages.`);
    return { ref: BOOTSTRAP_BASE, source: 'made earlier' };
  }
  say(`No registry answered. Making ${BOOTSTRAP_BASE} from Debian's packages instead (debootstrap, then import: about half a minute).`);
  await bootstrapBase(docker, say, opts);
  return { ref: BOOTSTRAP_BASE, source: 'bootstrapped' };
}

export async function bootstrapBase(docker: ImagePort, say: (line: string) => void, opts: { allowInstall: boolean }): Promise<void> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0)
    throw new UserError(
      `${BASE_IMAGE} is missing and no registry answered. Making ${BOOTSTRAP_BASE} from Debian's packages needs Linux and root (debootstrap).\n` +
        `  Run \`sudo npx lean-labs images bootstrap\`, or load the ${BASE_IMAGE} image into the engine yourself (docker load).`,
    );
  if (!(await which('debootstrap'))) {
    if (!opts.allowInstall) throw new UserError('debootstrap is not installed. Install it (`apt-get install debootstrap`) or pass --yes to let lean-labs do it.');
    say('Installing debootstrap…');
    await mustRun('apt-get', ['install', '-y', '-q', 'debootstrap'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
  }
  const mirror = debianMirror();
  if (!mirror) throw new UserError('lean-labs found no Debian mirror in /etc/apt. Set LEAN_LABS_DEBIAN_MIRROR to the mirror URL and try again.');
  const root = mkdtempSync(join(tmpdir(), 'lean-labs-base-'));
  const t0 = Date.now();
  try {
    await mustRun('debootstrap', ['--variant=minbase', 'bookworm', root, mirror], {
      onLine: (line) => {
        if (/^I: (Retrieving|Validating|Extracting|Installing|Configuring|Base system)/.test(line) && !/Retrieving [a-z]/.test(line)) say(`  debootstrap: ${line.slice(3)}`);
      },
    });
    // Downloaded packages and package lists are 80 MB the image does not need: Dockerfiles run apt-get update.
    for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists'])
      for (const f of readdirSync(join(root, dir))) if (f !== 'partial' && f !== 'lock') rmSync(join(root, dir, f), { recursive: true, force: true });
    say(`  filesystem ready in ${((Date.now() - t0) / 1000).toFixed(0)} s; importing…`);
    const tar = streamProcess('tar', ['-C', root, '-c', '.'], { streamOnly: true });
    await docker.importImage(tar.stdout, BOOTSTRAP_BASE, ['CMD ["bash"]']);
    const packed = await tar.done;
    if (packed.code !== 0) throw new CommandError(`tar -C ${root} -c .`, packed.code, packed.output.trim());
    say(`  ${BOOTSTRAP_BASE} made in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
