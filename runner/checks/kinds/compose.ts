import { withFields } from '../describe.js';
import { combine, fact } from '../outcome.js';
import type { CheckKind, CheckOutcome } from '../types.js';
import type { ContainerSummary } from '../../docker/port.js';

export const COMPOSE_PROJECT = 'com.docker.compose.project';
export const COMPOSE_SERVICE = 'com.docker.compose.service';

/** The labels Compose puts on every container of a service (v1 and v2 name containers differently). */
export const serviceLabels = (project: string, service: string) => ({ [COMPOSE_PROJECT]: project, [COMPOSE_SERVICE]: service });

export interface ComposeFields {
  project: string;
  service: string;
  replicas?: number;
  minReplicas?: number;
  createdBefore?: string;
  createdOnce?: boolean;
}

/**
 * Counts a service's running containers found by Compose's labels (v1 and v2 name containers differently).
 * With `createdBefore`, they must also be older than every container of that other service: Compose recreates a
 * container whose configuration changed, so this proves a rewrite of the file left the service as it was.
 */
export function judgeCompose(
  f: ComposeFields,
  containers: readonly ContainerSummary[],
  later: readonly ContainerSummary[] = [],
  creates = 0,
): CheckOutcome {
  const running = containers.filter((c) => c.state === 'running');
  const what = `service ${f.service} of stack ${f.project}`;
  const found = `${running.length} running${containers.length > running.length ? ` (${containers.length - running.length} not running)` : ''}`;
  const facts = [
    f.replicas !== undefined
      ? fact(running.length === f.replicas, `${what} has ${f.replicas} running`, found)
      : fact(running.length >= (f.minReplicas ?? 1), `${what} has at least ${f.minReplicas ?? 1} running`, found),
  ];
  if (f.createdBefore !== undefined) {
    const expected = `its containers were created before ${f.createdBefore}'s (left as they were)`;
    if (!later.length) facts.push(fact(false, expected, `there is no container of ${f.createdBefore} to compare with`));
    else {
      const first = Math.min(...later.map((c) => c.created));
      const newer = running.filter((c) => c.created >= first);
      facts.push(fact(newer.length === 0, expected, newer.length ? `${newer.map((c) => c.name).join(', ')} came after it: Compose recreated ${newer.length === 1 ? 'it' : 'them'}` : `created before it`));
    }
  }
  if (f.createdOnce) {
    facts.push(
      fact(creates <= containers.length, `each of its containers was created once since the lab began (none replaced)`,
        creates <= containers.length ? `${creates} created, ${containers.length} there` : `${creates} were created for the ${containers.length} there: Compose replaced ${creates - containers.length}`),
    );
  }
  return combine(facts);
}

export const compose: CheckKind = {
  kind: 'compose',
  doc: 'A Compose service has N running replicas, found by com.docker.compose.* labels.',
  fields: {
    project: { type: 'string', required: true, doc: 'Compose project name' },
    service: { type: 'string', required: true, doc: 'service name' },
    replicas: { type: 'number', doc: 'exact number of running containers' },
    minReplicas: { type: 'number', doc: 'smallest number of running containers (default 1)' },
    createdOnce: { type: 'boolean', doc: 'no container of the service was replaced since the lab began (Compose recreates what changed)' },
    createdBefore: { type: 'string', doc: 'another service of the project: these containers are older than all of its (not recreated since)' },
  },
  describe: (f) => withFields(`stack ${f.project}, service ${f.service}`, f, ['project', 'service']),
  settles: (f) => ({ containers: [], repeat: f.replicas !== undefined }),
  evaluate: async (f, ctx) => {
    const fields = f as unknown as ComposeFields;
    const of = (service: string) => ctx.docker.listContainers(serviceLabels(fields.project, service));
    const list = await of(fields.service);
    const creates = fields.createdOnce
      ? (await ctx.docker.pastEvents(serviceLabels(fields.project, fields.service), ctx.since)).filter((e) => e.action === 'create').length
      : 0;
    if (!fields.createdBefore) return judgeCompose(fields, list, [], creates);
    // The list gives creation times in whole seconds; one `up` recreates and creates within the same second.
    const exact = async (cs: readonly ContainerSummary[]) =>
      Promise.all(cs.map(async (c) => ({ ...c, created: (await ctx.docker.inspectContainer(c.id))?.created ?? c.created })));
    return judgeCompose(fields, await exact(list), await exact(await of(fields.createdBefore)), creates);
  },
};
