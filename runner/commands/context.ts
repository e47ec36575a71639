import type { DockerAdapter } from '../docker/adapter.js';
import { loadCatalog, type ImageDef } from '../images/catalog.js';
import { ensureImages, type ImageEvent } from '../images/ensure.js';
import type { Lab } from '../lab/types.js';
import { imagesDir } from '../paths.js';
import type { ImagesLoading } from './cli-context.js';

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
 * The catalog (a hash of every file under images/) is read once for all the labs of a run. Where someone else loads
 * the images (a class, for its sandboxes), `loading` waits for them first, so they are only checked here.
 */
export function imageBuilder(docker: DockerAdapter, allowInstall: boolean, catalog: ReadonlyMap<string, ImageDef> = loadCatalog(imagesDir()), loading?: ImagesLoading) {
  return async (lab: Lab, hooks: ImageHooks): Promise<string> => {
    await loading?.((line) => hooks.onEvent({ kind: 'base', line }));
    await ensureImages(docker, catalog, [...new Set([HELPER_IMAGE, ...lab.images])], { allowInstall, ...hooks });
    return catalog.get(HELPER_IMAGE)!.tag;
  };
}

/** `imageBuilder` with progress shown as live rows in a terminal, or plain lines. */
export function imagePreparer(
  docker: DockerAdapter,
  say: (line: string) => void,
  allowInstall: boolean,
  live = false,
  catalog: ReadonlyMap<string, ImageDef> = loadCatalog(imagesDir()),
  loading?: ImagesLoading,
) {
  const build = imageBuilder(docker, allowInstall, catalog, loading);
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
