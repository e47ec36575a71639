import { withFields } from '../describe.js';
import { type CheckKind, FIXED } from '../types.js';
import { judgeNamed } from './named.js';

export const volume: CheckKind = {
  kind: 'volume',
  doc: 'A named volume exists (or not), optionally with a driver.',
  fields: {
    volume: { type: 'string', required: true, doc: 'volume name' },
    exists: { type: 'boolean', doc: 'false: the volume must be absent' },
    driver: { type: 'string', doc: 'volume driver, e.g. local' },
  },
  describe: (f) => withFields(`volume ${f.volume}`, f, ['volume']),
  settles: () => FIXED,
  evaluate: async (f, ctx) => judgeNamed('volume', String(f.volume), f.exists as boolean | undefined, f.driver as string | undefined, await ctx.docker.inspectVolume(String(f.volume))),
};
