import { combine, fact, type Fact } from '../outcome.js';
import type { CheckKind, CheckOutcome } from '../types.js';
import { formatSize } from '../values.js';
import type { ImageFacts } from '../../docker/port.js';

export interface ImageFields {
  image: string;
  exists?: boolean;
  maxSize?: number;
  layers?: number;
  minLayers?: number;
}

export function judgeImage(f: ImageFields, i: ImageFacts | null): CheckOutcome {
  if (f.exists === false) return combine([fact(i === null, `no image ${f.image}`, `image ${f.image} exists`)]);
  if (!i) return { pass: false, expected: `image ${f.image} exists`, found: `there is no image ${f.image}` };
  const facts: Fact[] = [fact(true, `image ${f.image} exists`, 'it exists')];
  if (f.maxSize !== undefined)
    facts.push(fact(i.size <= f.maxSize, `it is at most ${formatSize(f.maxSize)}`, `it is ${formatSize(i.size)}`));
  if (f.layers !== undefined) facts.push(fact(i.layers === f.layers, `it has ${f.layers} layers`, `it has ${i.layers} layers`));
  if (f.minLayers !== undefined)
    facts.push(fact(i.layers >= f.minLayers, `it has at least ${f.minLayers} layers`, `it has ${i.layers} layers`));
  return combine(facts);
}

export const image: CheckKind = {
  kind: 'image',
  doc: 'An image exists (or not), within a size, with a number of layers.',
  fields: {
    image: { type: 'string', required: true, doc: 'image name[:tag]' },
    exists: { type: 'boolean', doc: 'false: the image must be absent' },
    maxSize: { type: 'size', doc: 'largest acceptable size, e.g. 10m' },
    layers: { type: 'number', doc: 'exact layer count' },
    minLayers: { type: 'number', doc: 'smallest layer count' },
  },
  describe: (f) => `image ${f.image}`,
  evaluate: async (f, ctx) => judgeImage(f as unknown as ImageFields, await ctx.docker.inspectImage(String(f.image))),
};
