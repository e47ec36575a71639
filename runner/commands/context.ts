import { DockerAdapter } from '../docker/adapter.js';
import { loadCatalog } from '../images/catalog.js';
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

/** Builds a lab's images (and the helper) on demand; returns the helper image tag for checks. */
export function imagePreparer(docker: DockerAdapter, say: (line: string) => void, allowInstall: boolean) {
  return async (lab: Lab): Promise<string> => {
    const catalog = loadCatalog(imagesDir());
    const wanted = [...new Set([HELPER_IMAGE, ...lab.images])];
    await ensureImages(docker, catalog, wanted, {
      allowInstall,
      onEvent: (e) => {
        const line = imageLine(e);
        if (line) say(line);
      },
    });
    return catalog.get(HELPER_IMAGE)!.tag;
  };
}
