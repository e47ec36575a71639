/**
 * The class image: the `sandbox` lab image (a Docker engine, its CLI, Compose, tmux, Node) with this very
 * lean-labs inside, so the runner in every sandbox is the instructor's version and reads the sandbox's own engine.
 * Its tag is a hash of what goes in, so it is built once per version of lean-labs and of the sandbox image.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { DockerAdapter } from '../runner/docker/adapter.js';
import type { BuildProgress } from '../runner/docker/port.js';
import { UserError } from '../runner/errors.js';
import { IMAGE_LABEL, IMAGE_REPO } from '../runner/images/catalog.js';
import { packageRoot } from '../runner/paths.js';
import { OUTBOX_ENV } from './outbox.js';

export const CLASS_IMAGE_REPO = `${IMAGE_REPO}/class-sandbox`;
/**
 * What of the package a sandbox needs: the CLI (and the class server's SQLite, for a manager that is itself a class
 * image), its labs and the image definitions (whose hashes tag the images).
 */
const PACKAGE_PARTS = ['package.json', 'dist/lean-labs.cjs', 'dist/lean-labs-main.js', 'dist/class-agent.js', 'dist/sql-wasm.wasm', 'dist/web', 'labs', 'images'];

function filesUnder(root: string, part: string): string[] {
  const p = join(root, part);
  if (!existsSync(p)) return [];
  if (!statSync(p).isDirectory()) return [part];
  return readdirSync(p)
    .sort()
    .flatMap((n) => filesUnder(root, join(part, n)));
}

/**
 * The Node binary running this lean-labs, when it may serve in the class image: a Linux build that carries its own
 * libraries (an official build, as nvm and most installers give) starts in about two thirds of the CPU time of
 * Debian's, which links some twenty shared libraries. Every sandbox starts Node for its agent while a whole class
 * starts at once, and again for each runner. Whether it runs there is tried in the image itself at build time
 * (see classDockerfile): a build that needs libraries the image lacks is dropped and Debian's Node stays.
 */
export function portableNode(execPath = process.execPath, platform = process.platform, config = process.config): string | undefined {
  if (platform !== 'linux') return undefined;
  const vars = (config.variables ?? {}) as Record<string, unknown>;
  if (vars.node_shared === true || vars.node_shared === 'true') return undefined;
  return existsSync(execPath) ? execPath : undefined;
}

/** Where the class image puts the manager's Node (ahead of Debian's /usr/bin/node on PATH). */
export const CLASS_NODE = '/usr/local/bin/node';

export function classDockerfile(sandboxTag: string, withNode = false): string {
  return [
    `FROM ${sandboxTag}`,
    ...(withNode
      ? [
          'COPY node /usr/local/bin/node',
          // Kept only if it runs here (the right machine, and no library this image lacks); Debian's Node otherwise.
          `RUN ${CLASS_NODE} -e 0 >/dev/null 2>&1 || rm -f ${CLASS_NODE}`,
        ]
      : []),
    'COPY lean-labs /opt/lean-labs',
    // A sandbox's memory is the learner's: Node's young generation is kept small (1 MB semi-spaces instead of 16),
    // which costs the runner nothing measurable and saves tens of MB in each process.
    `RUN printf '#!/bin/sh\\nexec node --max-semi-space-size=1 /opt/lean-labs/dist/lean-labs.cjs "$@"\\n' > /usr/local/bin/lean-labs && chmod 755 /usr/local/bin/lean-labs`,
    `ENV ${OUTBOX_ENV}=/root/.local/state/lean-labs/class-outbox`,
    'WORKDIR /root',
    // The agent makes the learner's cell and starts the engine in it (and again whenever it stops).
    `CMD ["node", "--max-semi-space-size=1", "--max-old-space-size=64", "/opt/lean-labs/dist/class-agent.js"]`,
    '',
  ].join('\n');
}

/** Builds the class image unless this version exists; returns its tag. */
export async function ensureClassImage(docker: DockerAdapter, sandboxTag: string, say: (line: string) => void): Promise<string> {
  const root = packageRoot();
  if (!existsSync(join(root, 'dist', 'lean-labs.cjs'))) throw new UserError(`${join(root, 'dist', 'lean-labs.cjs')} is missing: run \`npm run build\` first.`);
  const files = PACKAGE_PARTS.flatMap((p) => filesUnder(root, p));
  const hash = createHash('sha256').update(sandboxTag);
  for (const f of files)
    hash
      .update(f)
      .update('\0')
      .update(readFileSync(join(root, f)))
      .update('\0');
  const node = portableNode();
  // The binary itself is large: its version, machine and size stand for it (not its time: a manager that is itself a
  // class image has a copy of it, and must find the same tag).
  if (node) hash.update(`node ${process.version} ${process.arch} ${statSync(node).size}`);
  const tag = `${CLASS_IMAGE_REPO}:${hash.digest('hex').slice(0, 12)}`;
  if (await docker.inspectImage(tag)) return tag;
  say(`Building the class image ${tag} (lean-labs inside the sandbox image)…`);
  const context = mkdtempSync(join(tmpdir(), 'lean-labs-class-image-'));
  try {
    for (const f of files) {
      mkdirSync(join(context, 'lean-labs', f, '..'), { recursive: true });
      cpSync(join(root, f), join(context, 'lean-labs', f));
    }
    if (node) cpSync(node, join(context, 'node'));
    writeFileSync(join(context, 'Dockerfile'), classDockerfile(sandboxTag, !!node));
    const all = ['Dockerfile', ...(node ? ['node'] : []), ...files.map((f) => relative(context, join(context, 'lean-labs', f)))];
    await docker.buildImage(context, all, tag, { [IMAGE_LABEL]: 'class-sandbox' }, (p: BuildProgress) => {
      if (p.kind === 'step') say(`  class image: step ${p.step}/${p.total}`);
    });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return tag;
}

/**
 * The class images of earlier versions that can go: every tag of the class image's repository but `keep` and those
 * a class's service still names (another class may still run an older lean-labs). Pure.
 */
export function staleClassImages(tags: readonly string[], keep: string, named: readonly string[]): string[] {
  const inUse = new Set(named.map((image) => image.split('@')[0]));
  return tags.filter((t) => t.startsWith(`${CLASS_IMAGE_REPO}:`) && t !== keep && !inUse.has(t)).sort();
}

/**
 * Removes the class images of earlier versions from this engine (see staleClassImages). The engine itself keeps one
 * a container still uses: that one is passed over. Returns the tags removed.
 */
export async function pruneClassImages(docker: DockerAdapter, keep: string, named: readonly string[]): Promise<string[]> {
  const tags = (await docker.listImages({ [IMAGE_LABEL]: 'class-sandbox' })).flatMap((i) => i.tags);
  const removed: string[] = [];
  for (const tag of staleClassImages(tags, keep, named)) {
    try {
      await docker.removeImage(tag);
      removed.push(tag);
    } catch {
      // in use by a container: it stays
    }
  }
  return removed;
}
