import { existsSync } from 'node:fs';
import { IMAGES_LOADING_FILE } from '../../classroom/sandbox-spec.js';
import type { DockerAdapter } from '../docker/adapter.js';
import { loadCatalog, type ImageDef } from '../images/catalog.js';
import { ensureImages, type ImageEvent } from '../images/ensure.js';
import type { Lab } from '../lab/types.js';
import { imagesDir } from '../paths.js';

/** The helper image checks use for HTTP requests from inside a network. */
export const HELPER_IMAGE = 'busybox';

/** Plain progress lines for image work, for headless runs. */
export function imageLine(e: ImageEvent): string | undefined {
  switch (e.kind) {
    case 'base':
      return e.line;
    case 'start':
      return `  building ${e.tag}`;
    case 'step':
      return `  ${e.name}: step ${e.step}/${e.total} ${e.text.length > 70 ? `${e.text.slice(0, 69)}…` : e.text}`;
    case 'done':
      return e.built ? `  ${e.name}: built in ${(e.ms / 1000).toFixed(1)} s` : undefined;
    case 'failed':
      return `  ${e.name}: FAILED\n${e.error.replace(/^/gm, '    ')}`;
    default:
      return undefined;
  }
}

export interface ImageProgress {
  onEvent(e: ImageEvent): void;
  finish(): void;
}

/** Live rows in a terminal, plain lines elsewhere (CI logs, pipes). */
export async function imageProgress(names: readonly string[], say: (line: string) => void, live: boolean): Promise<ImageProgress> {
  if (live) {
    const { liveImages } = await import('../ui/live-images.js');
    return liveImages(names);
  }
  return {
    onEvent: (e) => {
      const line = imageLine(e);
      if (line) say(line);
    },
    finish: () => {},
  };
}

export type ImageHooks = {
  readonly onPlan: (toBuild: readonly string[]) => void | Promise<void>;
  readonly onEvent: (e: ImageEvent) => void;
};

/**
 * Builds a lab's images (and the helper) on demand, reporting to `hooks`; returns the helper image tag for checks.
 * The catalog (a hash of every file under images/) is read once for all the labs of a run.
 */
export function imageBuilder(docker: DockerAdapter, allowInstall: boolean, catalog: ReadonlyMap<string, ImageDef> = loadCatalog(imagesDir())) {
  return async (lab: Lab, hooks: ImageHooks): Promise<string> => {
    await classImagesLoaded(hooks);
    await ensureImages(docker, catalog, [...new Set([HELPER_IMAGE, ...lab.images])], { allowInstall, ...hooks });
    return catalog.get(HELPER_IMAGE)!.tag;
  };
}

/**
 * In a class sandbox, the lab images come from the class server, loaded by the sandbox's agent: wait for them
 * rather than build them (at most 15 minutes; then building is the way left).
 */
async function classImagesLoaded(hooks: ImageHooks): Promise<void> {
  if (!existsSync(IMAGES_LOADING_FILE)) return;
  hooks.onEvent({ kind: 'base', line: 'Your class is loading the lab images into your sandbox…' });
  const until = Date.now() + 15 * 60_000;
  while (existsSync(IMAGES_LOADING_FILE) && Date.now() < until) await new Promise((r) => setTimeout(r, 500));
}

/** `imageBuilder` with progress shown as live rows in a terminal, or plain lines. */
export function imagePreparer(docker: DockerAdapter, say: (line: string) => void, allowInstall: boolean, live = false, catalog: ReadonlyMap<string, ImageDef> = loadCatalog(imagesDir())) {
  const build = imageBuilder(docker, allowInstall, catalog);
  return async (lab: Lab): Promise<string> => {
    let progress: ImageProgress | undefined;
    try {
      return await build(lab, {
        // Nothing to build: stay quiet and just point the latest tags at the current versions.
        onPlan: async (toBuild) => {
          progress = await imageProgress(toBuild, say, live && toBuild.length > 0);
        },
        onEvent: (e) => progress?.onEvent(e),
      });
    } finally {
      progress?.finish();
    }
  };
}
