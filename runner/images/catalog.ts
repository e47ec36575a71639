import { UserError } from '../errors.js';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The Debian base the lab images build on: Dockerfiles say `ARG BASE=debian:bookworm-slim` and `FROM ${BASE}`. */
export const BASE_IMAGE = 'debian:bookworm-slim';
/**
 * Where a base made from Debian's packages goes when the real one cannot be pulled: under lean-labs's own name,
 * so it never shadows the official image for anyone else on the engine. Builds then get it as the BASE argument.
 */
export const BOOTSTRAP_BASE = 'lean-labs/debian-base:bookworm';
/** The build argument a Dockerfile names its Debian base with (`FROM ${BASE}`). */
export const BASE_ARG = 'BASE';
export const IMAGE_REPO = 'lean-labs';
export const IMAGE_LABEL = 'lean-labs.image';
export const VERSION_LABEL = 'lean-labs.images-version';

export interface ImageDef {
  readonly name: string;
  readonly dir: string;
  /** Other lab images this one is built FROM. */
  readonly deps: readonly string[];
  /** Whether building it needs the Debian base (itself or an image it builds on). */
  readonly needsBase: boolean;
  /** Whether its own Dockerfile builds FROM the base (and so takes the BASE build argument). */
  readonly fromBase: boolean;
  /** Hash of the folder's files and of its deps' versions. */
  readonly version: string;
  readonly tag: string;
  readonly latest: string;
}

function filesOf(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? filesOf(p) : [p];
    })
    .sort();
}

/** Names in FROM lines: `lean-labs/x` become deps; the Debian base (named directly or as `${BASE}`) is noted. */
export function fromLines(dockerfile: string): { deps: string[]; needsBase: boolean } {
  const deps = new Set<string>();
  let needsBase = false;
  for (const m of dockerfile.matchAll(/^\s*FROM\s+(?:--\S+\s+)*(\S+)/gim)) {
    const ref = m[1] ?? '';
    if (ref.startsWith(`${IMAGE_REPO}/`)) deps.add(ref.slice(IMAGE_REPO.length + 1).split(':')[0] ?? '');
    if (ref === BASE_IMAGE || ref === '${BASE}' || ref === '$BASE') needsBase = true;
  }
  return { deps: [...deps], needsBase };
}

/** Reads images/ into definitions with versions; throws on a cycle or an unknown FROM. */
export function loadCatalog(root: string): Map<string, ImageDef> {
  const raw = new Map<string, { dir: string; deps: string[]; needsBase: boolean; hash: string }>();
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!statSync(dir).isDirectory() || !existsSync(join(dir, 'Dockerfile'))) continue;
    const hash = createHash('sha256');
    for (const f of filesOf(dir)) hash.update(relative(dir, f)).update('\0').update(readFileSync(f)).update('\0');
    raw.set(name, { dir, ...fromLines(readFileSync(join(dir, 'Dockerfile'), 'utf8')), hash: hash.digest('hex') });
  }
  const done = new Map<string, ImageDef>();
  const visit = (name: string, path: string[]): ImageDef => {
    const hit = done.get(name);
    if (hit) return hit;
    const r = raw.get(name);
    if (!r) throw new UserError(`images/${path.at(-1)}/Dockerfile builds FROM ${IMAGE_REPO}/${name}, but there is no images/${name}/ folder.`);
    if (path.includes(name)) throw new UserError(`The lab images build FROM each other in a circle: ${[...path, name].join(' -> ')}.`);
    const deps = r.deps.map((d) => visit(d, [...path, name]));
    const version = createHash('sha256')
      .update(r.hash)
      .update(deps.map((d) => d.version).join(','))
      .digest('hex')
      .slice(0, 12);
    const def: ImageDef = {
      name,
      dir: r.dir,
      deps: r.deps,
      needsBase: r.needsBase || deps.some((d) => d.needsBase),
      fromBase: r.needsBase,
      version,
      tag: `${IMAGE_REPO}/${name}:${version}`,
      latest: `${IMAGE_REPO}/${name}:latest`,
    };
    done.set(name, def);
    return def;
  };
  for (const name of raw.keys()) visit(name, []);
  return done;
}

/** The images to build for `wanted`, dependencies first. */
export function buildOrder(catalog: ReadonlyMap<string, ImageDef>, wanted: readonly string[]): ImageDef[] {
  const order: ImageDef[] = [];
  const add = (name: string) => {
    const def = catalog.get(name);
    if (!def) throw new UserError(`There is no lab image "${name}". Known images: ${[...catalog.keys()].join(', ')}.`);
    if (order.includes(def)) return;
    def.deps.forEach(add);
    order.push(def);
  };
  wanted.forEach(add);
  return order;
}
