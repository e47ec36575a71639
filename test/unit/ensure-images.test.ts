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
  buildArgs = new Map<string, Readonly<Record<string, string>>>();
  imported: string[] = [];
  pullable = false;
  tagged: Array<[string, string]> = [];
  constructor(
    private readonly failing: readonly string[],
    base: string | undefined = 'debian:bookworm-slim',
  ) {
    super();
    if (base) this.images.set(base, { id: 'base', tags: [], size: 1, layers: 1, created: 0, labels: {} } as ImageFacts);
  }
  async buildImage(_dir: string, _files: readonly string[], tag: string, _l: unknown, onProgress: (p: BuildProgress) => void, opts: { buildArgs?: Readonly<Record<string, string>> } = {}) {
    this.buildArgs.set(tag.split(':')[0]!, opts.buildArgs ?? {});
    onProgress({ kind: 'step', step: 1, total: 1, text: 'RUN make' });
    if (this.failing.some((f) => tag.includes(`/${f}:`))) throw new BuildError(tag, 'step 1/1 (RUN make)', 'make: *** boom', 'exit 2');
    this.built.push(tag.split(':')[0]!);
    this.images.set(tag, { id: tag, tags: [tag], size: 1, layers: 1, created: 0, labels: {} });
  }
  override async tagImage(source: string, target: string) {
    this.tagged.push([source, target]);
    // As an engine does: the tag leaves any image that had it and names this one.
    for (const [ref, facts] of this.images) if (facts.tags.includes(target)) this.images.set(ref, { ...facts, tags: facts.tags.filter((t) => t !== target) });
    const image = this.images.get(source);
    if (image) this.images.set(source, { ...image, tags: [...image.tags, target] });
  }
  async importImage(_tar: unknown, tag: string) {
    this.imported.push(tag);
  }
  async tryPull(name: string) {
    if (this.pullable) this.images.set(name, { id: 'pulled', tags: [name], size: 1, layers: 1, created: 0, labels: {} } as ImageFacts);
    return this.pullable;
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
  make('other', '${BASE}');
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

  it('moves a latest tag only when it names another version', async () => {
    const catalog = loadCatalog(catalogDir());
    const docker = new FakeBuilder([]);
    await ensureImages(docker, catalog, ['app'], { onEvent: () => {} });
    docker.tagged = [];
    await ensureImages(docker, catalog, ['app'], { onEvent: () => {} });
    expect(docker.tagged).toEqual([]);
    // Someone pointed base-tools' latest tag at another image: it is moved back, app's is left.
    const stray = { id: 'stray', tags: [] as string[], size: 1, layers: 1, created: 0, labels: {} } as unknown as ImageFacts;
    docker.images.set('stray', stray);
    await docker.tagImage('stray', 'lean-labs/base-tools:latest');
    docker.tagged = [];
    await ensureImages(docker, catalog, ['app'], { onEvent: () => {} });
    expect(docker.tagged).toEqual([[catalog.get('base-tools')!.tag, 'lean-labs/base-tools:latest']]);
  });

  it('builds nothing that is already there at its version', async () => {
    const catalog = loadCatalog(catalogDir());
    const docker = new FakeBuilder([]);
    await ensureImages(docker, catalog, ['other'], { onEvent: () => {} });
    await ensureImages(docker, catalog, ['other'], { onEvent: () => {} });
    expect(docker.built).toEqual(['lean-labs/other']);
  });

  it("builds FROM the official base when the engine has it or can pull it, else from lean-labs's own copy, never under the official name", async () => {
    const catalog = loadCatalog(catalogDir());
    const present = new FakeBuilder([]);
    await ensureImages(present, catalog, ['app', 'other'], { onEvent: () => {} });
    expect(present.buildArgs.get('lean-labs/other')).toEqual({ BASE: 'debian:bookworm-slim' });
    expect(present.buildArgs.get('lean-labs/app'), 'an image FROM another lab image takes no base argument').toEqual({});
    const pulled = new FakeBuilder([], undefined);
    pulled.pullable = true;
    await ensureImages(pulled, catalog, ['other'], { onEvent: () => {} });
    expect(pulled.buildArgs.get('lean-labs/other')).toEqual({ BASE: 'debian:bookworm-slim' });
    const madeEarlier = new FakeBuilder([], 'lean-labs/debian-base:bookworm');
    const lines: string[] = [];
    await ensureImages(madeEarlier, catalog, ['other'], { onEvent: (e) => e.kind === 'base' && lines.push(e.line) });
    expect(madeEarlier.buildArgs.get('lean-labs/other')).toEqual({ BASE: 'lean-labs/debian-base:bookworm' });
    expect(madeEarlier.imported).toEqual([]);
    expect(lines.at(-1)).toBe("No registry answered; building on lean-labs/debian-base:bookworm, made earlier from Debian's packages.");
    expect(await madeEarlier.inspectImage('debian:bookworm-slim'), 'the official name stays free').toBeNull();
  });
});
