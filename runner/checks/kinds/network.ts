import { withFields } from '../describe.js';
import { type CheckKind, FIXED } from '../types.js';
import { judgeNamed } from './named.js';

export const network: CheckKind = {
  kind: 'network',
  doc: 'A network exists (or not), optionally with a driver.',
  fields: {
    network: { type: 'string', required: true, doc: 'network name' },
    exists: { type: 'boolean', doc: 'false: the network must be absent' },
    driver: { type: 'string', doc: 'network driver, e.g. bridge' },
  },
  describe: (f) => withFields(`network ${f.network}`, f, ['network']),
  settles: () => FIXED,
  evaluate: async (f, ctx) => judgeNamed('network', String(f.network), f.exists as boolean | undefined, f.driver as string | undefined, await ctx.docker.inspectNetwork(String(f.network))),
};
