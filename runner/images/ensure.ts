import { UserError } from '../errors.js';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { DockerPort, ImagePort } from '../docker/port.js';
import { ensureBase } from './base.js';
import { BASE_ARG, buildOrder, IMAGE_LABEL, VERSION_LABEL, type ImageDef } from './catalog.js';

export type ImageEvent =
  | { readonly kind: 'base'; readonly line: string }
  | { readonly kind: 'start'; readonly name: string; readonly tag: string }
  | { readonly kind: 'step'; readonly name: string; readonly step: number; readonly total: number; readonly text: string }
  | { readonly kind: 'cached'; readonly name: string; readonly step: number }
  | { readonly kind: 'output'; readonly name: string; readonly text: string }
  | { readonly kind: 'done'; readonly name: string; readonly ms: number; readonly built: boolean }
  | { readonly kind: 'failed'; readonly name: string; readonly error: string };

export interface EnsureOptions {
  /** Build again from scratch, without the layer cache (fresh packages). */
  readonly rebuild?: boolean;
  readonly allowInstall?: boolean;
  /** Builds run at once at most (independent images only). */
  readonly parallel?: number;
  readonly onEvent: (e: ImageEvent) => void;
  /** Told which images will be built, before anything happens (a progress display sizes itself by it). */
  readonly onPlan?: (toBuild: readonly string[]) => void | Promise<void>;
}

export class ImagesFailedError extends UserError {
  constructor(readonly failed: readonly string[]) {
    super(`These lab images could not be built: ${failed.join(', ')}. The build output above says why; fix it and run \`npx lean-labs images build\`.`);
  }
}

function contextFiles(dir: string): string[] {
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [relative(dir, join(d, n))]));
  return walk(dir);
}

/**
 * Makes sure every wanted image (and what it builds on) exists at its current version, building what is
 * missing; independent images build side by side. `latest` tags are moved to the current versions.
 */
export async function ensureImages(docker: DockerPort & ImagePort, catalog: ReadonlyMap<string, ImageDef>, wanted: readonly string[], opts: EnsureOptions): Promise<void> {
  const order = buildOrder(catalog, wanted);
  const present = new Map(await Promise.all(order.map(async (d) => [d.name, await docker.inspectImage(d.tag)] as const)));
  const toBuild = order.filter((d) => opts.rebuild || !present.get(d.name));
  await opts.onPlan?.(toBuild.map((d) => d.name));
  const base = toBuild.some((d) => d.needsBase) ? await ensureBase(docker, (line) => opts.onEvent({ kind: 'base', line }), { allowInstall: opts.allowInstall ?? false }) : undefined;

  const results = new Map<string, Promise<boolean>>();
  const failed: string[] = [];
  let running = 0;
  const waiting: Array<() => void> = [];
  const slot = async () => {
    if (running >= (opts.parallel ?? 2)) await new Promise<void>((r) => waiting.push(r));
    running++;
  };
  const release = () => {
    running--;
    waiting.shift()?.();
  };

  const build = (def: ImageDef): Promise<boolean> => {
    const existing = results.get(def.name);
    if (existing) return existing;
    const p = (async () => {
      const depsOk = await Promise.all(def.deps.map((d) => build(catalog.get(d)!)));
      if (depsOk.includes(false)) {
        opts.onEvent({ kind: 'failed', name: def.name, error: 'an image it builds on failed' });
        failed.push(def.name);
        return false;
      }
      if (!toBuild.includes(def)) {
        // Its latest tag is moved only when it names another version (docker's tag takes the engine ~10 ms).
        if (!present.get(def.name)?.tags.includes(def.latest)) await docker.tagImage(def.tag, def.latest);
        opts.onEvent({ kind: 'done', name: def.name, ms: 0, built: false });
        return true;
      }
      await slot();
      const t0 = Date.now();
      let step = 0;
      try {
        opts.onEvent({ kind: 'start', name: def.name, tag: def.tag });
        await docker.buildImage(
          def.dir,
          contextFiles(def.dir),
          def.tag,
          { [IMAGE_LABEL]: def.name, [VERSION_LABEL]: def.version },
          (p) => {
            if (p.kind === 'step') {
              step = p.step;
              opts.onEvent({ kind: 'step', name: def.name, step: p.step, total: p.total, text: p.text });
            } else if (p.kind === 'cached') opts.onEvent({ kind: 'cached', name: def.name, step });
            else opts.onEvent({ kind: 'output', name: def.name, text: p.text });
          },
          { noCache: opts.rebuild, buildArgs: def.fromBase && base ? { [BASE_ARG]: base.ref } : {} },
        );
        await docker.tagImage(def.tag, def.latest);
        opts.onEvent({ kind: 'done', name: def.name, ms: Date.now() - t0, built: true });
        return true;
      } catch (err) {
        opts.onEvent({ kind: 'failed', name: def.name, error: (err as Error).message });
        failed.push(def.name);
        return false;
      } finally {
        release();
      }
    })();
    results.set(def.name, p);
    return p;
  };
  await Promise.all(order.map(build));
  if (failed.length) throw new ImagesFailedError(failed);
}
