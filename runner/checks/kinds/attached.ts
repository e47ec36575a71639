import { combine, fact, type Fact } from '../outcome.js';
import { type CheckKind, type CheckOutcome, FIXED } from '../types.js';
import type { ContainerFacts } from '../../docker/port.js';

export interface AttachedFields {
  container: string;
  network: string;
  attached?: boolean;
  aliases?: string[];
}

/** Which networks a container is on, and the extra names (aliases) it answers to there. */
export function judgeAttached(f: AttachedFields, c: ContainerFacts | null): CheckOutcome {
  if (!c) return { pass: false, expected: `container ${f.container} exists`, found: `there is no container named ${f.container}` };
  const on = Object.keys(c.networks);
  const here = c.networks[f.network];
  const facts: Fact[] = [];
  const want = f.attached ?? true;
  facts.push(fact(Boolean(here) === want, `${f.container} is ${want ? '' : 'not '}attached to network ${f.network}`, `it is on ${on.join(', ') || 'no network'}`));
  if (here && f.aliases)
    for (const alias of f.aliases) facts.push(fact(here.aliases.includes(alias), `it answers to ${alias} on ${f.network}`, `its names there are ${here.aliases.join(', ') || 'none'}`));
  return combine(facts);
}

export const attached: CheckKind = {
  kind: 'attached',
  doc: 'A container is attached to a network (or not), optionally answering to extra names there (`--network-alias`).',
  fields: {
    container: { type: 'string', required: true, doc: 'container name' },
    network: { type: 'string', required: true, doc: 'network name' },
    attached: { type: 'boolean', doc: 'false: it must not be on that network (default true)' },
    aliases: { type: 'strings', doc: 'names it answers to on that network (--network-alias)' },
  },
  describe: (f) => `${f.container} on network ${f.network}${f.aliases ? ` as ${(f.aliases as string[]).join(', ')}` : ''}`,
  // Which networks a container is on and its aliases there change only when someone connects or disconnects it.
  settles: () => FIXED,
  evaluate: async (f, ctx) => {
    const fields = f as unknown as AttachedFields;
    return judgeAttached(fields, await ctx.docker.inspectContainer(fields.container));
  },
};
