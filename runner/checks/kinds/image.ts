import { withFields } from '../describe.js';
import { combine, fact, type Fact } from '../outcome.js';
import { type CheckKind, type CheckOutcome, FIXED } from '../types.js';
import { dockerSize, formatSize, matches } from '../values.js';
import type { ExecResult, ImageFacts } from '../../docker/port.js';

export interface ImageFields {
  image: string;
  exists?: boolean;
  maxSize?: number;
  minSize?: number;
  entrypoint?: string;
  cmd?: string;
  user?: string;
  exposes?: string[];
  healthcheck?: boolean;
  labels?: string[];
  hasFile?: string;
  layers?: number;
  minLayers?: number;
  sameAs?: string;
  baseImage?: string;
  extraLayers?: number;
  sharesLayersWith?: string;
  minSharedLayers?: number;
  maxSharedLayers?: number;
  historyOrder?: string[];
}

/**
 * Each pattern matches a build step (`docker history`, bottom first) above the one the pattern before it matched:
 * the order of a Dockerfile's instructions, whatever the builder prints around them.
 */
export function judgeHistoryOrder(patterns: readonly string[], history: readonly string[] | null): Fact {
  const expected = `its build steps match, bottom to top: ${patterns.join(' then ')}`;
  if (!history) return fact(false, expected, 'its history could not be read');
  let at = -1;
  for (const p of patterns) {
    const next = history.findIndex((step, k) => k > at && matches(p, step));
    if (next < 0) {
      const anywhere = history.findIndex((step) => matches(p, step));
      const steps = history
        .map(
          (h, k) =>
            `${k + 1}. ${h
              .replace(/\s+/g, ' ')
              .replace(/^\/bin\/sh -c (#\(nop\) )?/, '')
              .trim()
              .slice(0, 60)}`,
        )
        .join(' | ');
      return fact(false, expected, `${anywhere < 0 ? `no step matches ${p}` : `the step matching ${p} comes too early`}: ${steps}`);
    }
    at = next;
  }
  return fact(true, expected, 'they do');
}

/** How many layers two images have in common from the bottom: what a rebuild reused. */
export function sharedLayers(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/** Other images a check compares with, looked up by the caller. */
export type OtherImages = Readonly<Record<string, ImageFacts | null>>;

/**
 * Judges an image. `fileRead` is what a helper container of the image found at `hasFile` (exit 0 when it is there),
 * read by the caller.
 */
export function judgeImage(f: ImageFields, i: ImageFacts | null, others: OtherImages = {}, fileRead?: ExecResult, history: readonly string[] | null = null): CheckOutcome {
  if (f.exists === false) return combine([fact(i === null, `no image ${f.image}`, `image ${f.image} exists`)]);
  if (!i) return { pass: false, expected: `image ${f.image} exists`, found: `there is no image ${f.image}` };
  const facts: Fact[] = [fact(true, `image ${f.image} exists`, 'it exists')];
  if (f.maxSize !== undefined) facts.push(fact(i.size <= f.maxSize, `it is at most ${formatSize(f.maxSize)}`, `it is ${dockerSize(i.size)} as docker images shows it (${formatSize(i.size)})`));
  if (f.minSize !== undefined) facts.push(fact(i.size >= f.minSize, `it is at least ${formatSize(f.minSize)}`, `it is ${dockerSize(i.size)} as docker images shows it (${formatSize(i.size)})`));
  const c = i.config;
  const words = (l: readonly string[] | undefined) => (l?.length ? l.join(' ') : '(none)');
  if (f.entrypoint !== undefined) facts.push(fact(matches(f.entrypoint, words(c?.entrypoint)), `its ENTRYPOINT matches ${f.entrypoint}`, `its ENTRYPOINT is ${words(c?.entrypoint)}`));
  if (f.cmd !== undefined) facts.push(fact(matches(f.cmd, words(c?.cmd)), `its CMD matches ${f.cmd}`, `its CMD is ${words(c?.cmd)}`));
  if (f.user !== undefined) facts.push(fact((c?.user ?? '') === f.user, `it runs as user ${f.user || 'root (no USER)'}`, `it runs as ${c?.user || 'root (no USER)'}`));
  if (f.exposes) {
    const ports = c?.exposedPorts ?? [];
    for (const p of f.exposes) {
      const want = p.includes('/') ? p : `${p}/tcp`;
      facts.push(fact(ports.includes(want), `it exposes ${want}`, `it exposes ${ports.join(', ') || 'no port'}`));
    }
  }
  if (f.healthcheck !== undefined)
    facts.push(fact(Boolean(c?.healthcheck) === f.healthcheck, f.healthcheck ? 'it has a HEALTHCHECK' : 'it has no HEALTHCHECK', c?.healthcheck ? 'it has one' : 'it has none'));
  if (f.labels)
    for (const l of f.labels) {
      const [k, v] = l.includes('=') ? [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] : [l, undefined];
      const have = i.labels[k];
      facts.push(fact(have !== undefined && (v === undefined || have === v), `it carries the label ${l}`, have === undefined ? `it has no label ${k}` : `its label ${k} is ${have}`));
    }
  if (f.hasFile !== undefined) facts.push(fact(fileRead?.exitCode === 0, `it holds ${f.hasFile}`, fileRead?.exitCode === 0 ? 'it does' : `it does not hold ${f.hasFile}`));
  if (f.layers !== undefined) facts.push(fact(i.layers === f.layers, `it has ${f.layers} layers`, `it has ${i.layers} layers`));
  if (f.minLayers !== undefined) facts.push(fact(i.layers >= f.minLayers, `it has at least ${f.minLayers} layers`, `it has ${i.layers} layers`));
  if (f.historyOrder) facts.push(judgeHistoryOrder(f.historyOrder, history));
  const other = (name: string | undefined) => (name === undefined ? undefined : others[name]);
  if (f.sameAs !== undefined) {
    const o = other(f.sameAs);
    // The very same image: the same ID; or, on the containerd image store (whose ID also covers the build's own
    // record, different on every build), the same layers made at the same moment, which a cached rebuild keeps.
    const sameLayers = !!o && i.layerIds.length > 0 && i.layerIds.length === o.layerIds.length && sharedLayers(i.layerIds, o.layerIds) === i.layerIds.length;
    const same = !!o && (o.id === i.id || (sameLayers && i.built !== undefined && i.built === o.built));
    facts.push(fact(same, `it is the very same image as ${f.sameAs}`, o ? `it is ${i.id.slice(7, 19)}, ${f.sameAs} is ${o.id.slice(7, 19)}` : `there is no image ${f.sameAs}`));
  }
  if (f.baseImage !== undefined) {
    const o = other(f.baseImage);
    const extra = f.extraLayers ?? 1;
    facts.push(
      fact(
        o !== null && o !== undefined && i.layers === o.layers + extra && sharedLayers(o.layerIds, i.layerIds) === o.layers,
        `it is ${f.baseImage} plus ${extra} layer${extra === 1 ? '' : 's'}`,
        o ? `it has ${i.layers} layers, ${sharedLayers(o.layerIds, i.layerIds)} of them from ${f.baseImage} (${o.layers} layers)` : `there is no image ${f.baseImage}`,
      ),
    );
  }
  if (f.sharesLayersWith !== undefined) {
    const o = other(f.sharesLayersWith);
    const n = o ? sharedLayers(o.layerIds, i.layerIds) : 0;
    const found = o ? `it shares its bottom ${n} of ${i.layers} layers with ${f.sharesLayersWith}` : `there is no image ${f.sharesLayersWith}`;
    if (f.minSharedLayers !== undefined) facts.push(fact(o != null && n >= f.minSharedLayers, `it reuses at least ${f.minSharedLayers} layers of ${f.sharesLayersWith}`, found));
    if (f.maxSharedLayers !== undefined) facts.push(fact(o != null && n <= f.maxSharedLayers, `it reuses at most ${f.maxSharedLayers} layers of ${f.sharesLayersWith}`, found));
  }
  return combine(facts);
}

export const image: CheckKind = {
  kind: 'image',
  doc: 'An image exists (or not), within a size, with a number of layers, and how its containers start (ENTRYPOINT, CMD, USER, EXPOSE, HEALTHCHECK, labels).',
  fields: {
    image: { type: 'string', required: true, doc: 'image name[:tag]' },
    exists: { type: 'boolean', doc: 'false: the image must be absent' },
    maxSize: { type: 'size', doc: 'largest acceptable size, e.g. 10m' },
    minSize: { type: 'size', doc: 'smallest acceptable size (the toolchain is still in it, say)' },
    entrypoint: { type: 'pattern', doc: 'its ENTRYPOINT, words joined by spaces, matches' },
    cmd: { type: 'pattern', doc: 'its CMD, words joined by spaces, matches' },
    user: { type: 'string', doc: 'its USER (empty: root)' },
    exposes: { type: 'strings', doc: 'ports it EXPOSEs, e.g. [80] or [53/udp]' },
    healthcheck: { type: 'boolean', doc: 'it has a HEALTHCHECK (or not)' },
    labels: { type: 'strings', doc: 'labels it carries: key=value, or key for any value' },
    hasFile: { type: 'string', doc: 'a path its filesystem holds (read by a short-lived container of it; the image needs `test`)' },
    layers: { type: 'number', doc: 'exact layer count' },
    minLayers: { type: 'number', doc: 'smallest layer count' },
    sameAs: { type: 'string', doc: 'another image it must be identical to (same ID; on the containerd store, same layers and creation time)' },
    baseImage: { type: 'string', doc: 'the image it must extend, by extraLayers' },
    extraLayers: { type: 'number', doc: 'layers on top of baseImage (default 1)' },
    sharesLayersWith: { type: 'string', doc: 'another image whose bottom layers it reuses' },
    minSharedLayers: { type: 'number', doc: 'at least this many bottom layers in common with sharesLayersWith' },
    maxSharedLayers: { type: 'number', doc: 'at most this many bottom layers in common with sharesLayersWith' },
    historyOrder: { type: 'strings', doc: "patterns its build steps (docker history) match in this order, bottom first: the order of the Dockerfile's instructions" },
  },
  describe: (f) => withFields(`image ${f.image}`, f, ['image']),
  // An image never changes; a tag moves only when someone builds or tags.
  settles: () => FIXED,
  evaluate: async (f, ctx) => {
    const fields = f as unknown as ImageFields;
    const names = [fields.sameAs, fields.baseImage, fields.sharesLayersWith].filter((n): n is string => n !== undefined);
    const [self, ...rest] = await Promise.all([fields.image, ...names].map((n) => ctx.docker.inspectImage(n)));
    const fileRead =
      fields.hasFile !== undefined && self
        ? await ctx.docker
            .runHelper({ image: fields.image, cmd: ['test', '-e', fields.hasFile], labels: ctx.labels, networkMode: 'none', timeoutMs: 15_000 })
            .catch((err: Error) => ({ exitCode: -1, stdout: '', stderr: err.message }))
        : undefined;
    const history = fields.historyOrder && self ? await ctx.docker.imageHistory(fields.image) : null;
    return judgeImage(fields, self ?? null, Object.fromEntries(names.map((n, k) => [n, rest[k] ?? null])), fileRead, history);
  },
};
