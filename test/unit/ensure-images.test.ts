import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BuildProgress, ImageFacts, ImagePort } from '../../runner/docker/port.js';
import { BuildError } from '../../runner/docker/build-stream.js';
import { loadCatalog } from '../../runner/images/catalog.js';
import { ensureImages, ImagesFailedError, type ImageEvent } from '../../runner/images/ensure.js';
import { FakeDocker } from './fake-docker.js';

/** A fake engine that "builds" by recording, failing the images it is told to. */
class FakeBuilder extends FakeDocker implements ImagePort {
  built: string[] = [];
  tagged: Array<[string, string]> = [];
  constructor(private readonly failing: readonly string[]) {
    super();
    this.images.set('debian:bookworm-slim', { id: 'base', tags: [], size: 1, layers: 1, created: 0, labels: {} } as ImageFacts);
  }
  async buildImage(_dir: string, _files: readonly string[], tag: string, _l: unknown, onProgress: (p: BuildProgress) => void) {
    onProgress({ kind: 'step', step: 1, total: 1, text: 'RUN make' });
    if (this.failing.some((f) => tag.includes(`/${f}:`))) throw new BuildError(tag, 'step 1/1 (RUN make)', 'make: *** boom', 'exit 2');
    this.built.push(tag.split(':')[0]!);
    this.images.set(tag, { id: tag, tags: [tag], size: 1, layers: 1, created: 0, labels: {} });
  }
  override async tagImage(source: string, target: string) {
    this.tagged.push([source, target]);
  }
  async importImage() {}
  async tryPull() {
    return false;
  }
}

function catalogDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'll-cat-'));
  const make = (name: string, from: string) => {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, 'Dockerfile'), `FROM ${from}\n`);
  };
  make('base-tools', 'debian:bookworm-slim');
  make('app', 'lean-labs/base-tools');
  make('other', 'debian:bookworm-slim');
  return root;
}

describe('ensureImages', () => {
  it('builds dependencies first and points latest at each version', async () => {
    const catalog = loadCatalog(catalogDir());
    const docker = new FakeBuilder([]);
    await ensureImages(docker, catalog, ['app'], { onEvent: () => {} });
    expect(docker.built).toEqual(['lean-labs/base-tools', 'lean-labs/app']);
    expect(docker.tagged.map(([, t]) => t).sort()).toEqual(['lean-labs/app:latest', 'lean-labs/base-tools:latest']);
  });

  it('a failed image stops itself and what builds on it, while the others still finish', async () => {
    const catalog = loadCatalog(catalogDir());
    const docker = new FakeBuilder(['base-tools']);
    const events: ImageEvent[] = [];
    const err = await ensureImages(docker, catalog, ['app', 'other'], { onEvent: (e) => events.push(e) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImagesFailedError);
    expect((err as ImagesFailedError).failed.sort()).toEqual(['app', 'base-tools']);
    expect(docker.built).toEqual(['lean-labs/other']);
    const failure = events.find((e) => e.kind === 'failed' && e.name === 'base-tools');
    expect(failure?.kind === 'failed' && failure.error).toContain('failed at step 1/1 (RUN make)');
    expect(failure?.kind === 'failed' && failure.error).toContain('make: *** boom');
  });

  it('builds nothing that is already there at its version', async () => {
    const catalog = loadCatalog(catalogDir());
    const docker = new FakeBuilder([]);
    await ensureImages(docker, catalog, ['other'], { onEvent: () => {} });
    await ensureImages(docker, catalog, ['other'], { onEvent: () => {} });
    expect(docker.built).toEqual(['lean-labs/other']);
  });
});
