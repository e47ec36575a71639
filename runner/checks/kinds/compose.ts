import { withFields } from '../describe.js';
import { combine, fact } from '../outcome.js';
import type { CheckKind, CheckOutcome } from '../types.js';
import type { ContainerSummary, DockerPort } from '../../docker/port.js';
import { ofThisSession } from './events.js';

export const COMPOSE_PROJECT = 'com.docker.compose.project';
export const COMPOSE_SERVICE = 'com.docker.compose.service';
/** On a container `docker compose run` made: a one-off, not a replica of the service. */
export const COMPOSE_ONEOFF = 'com.docker.compose.oneoff';
/** What the service waits for: `db:service_healthy:false,cache:service_started:false` (service:condition:restart). */
export const COMPOSE_DEPENDS_ON = 'com.docker.compose.depends_on';

/** The service's own containers: a `compose run` container carries its labels too, but is no replica. */
export const replicasOf = <T extends { readonly labels: Readonly<Record<string, string>> }>(cs: readonly T[]): T[] => cs.filter((c) => c.labels[COMPOSE_ONEOFF]?.toLowerCase() !== 'true');

/** The running replicas of a service, by name (one-offs of `compose run` left out). */
export async function runningReplicas(docker: DockerPort, project: string, service: string): Promise<ContainerSummary[]> {
  return replicasOf(await docker.listContainers(serviceLabels(project, service)))
    .filter((c) => c.state === 'running')
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** `db:service_healthy` (or `db`, any condition): one entry of what a service depends on. */
export function dependsOnOf(labels: Readonly<Record<string, string>>): Array<{ service: string; condition: string }> {
  return (labels[COMPOSE_DEPENDS_ON] ?? '')
    .split(',')
    .filter(Boolean)
    .map((d) => {
      const [service = '', condition = 'service_started'] = d.split(':');
      return { service, condition };
    });
}

/** The labels Compose puts on every container of a service (v1 and v2 name containers differently). */
export const serviceLabels = (project: string, service: string) => ({ [COMPOSE_PROJECT]: project, [COMPOSE_SERVICE]: service });

export interface ComposeFields {
  project: string;
  service: string;
  replicas?: number;
  minReplicas?: number;
  createdBefore?: string;
  createdOnce?: boolean;
  dependsOn?: string[];
}

/**
 * Counts a service's running containers found by Compose's labels (v1 and v2 name containers differently).
 * With `createdBefore`, they must also be older than every container of that other service: Compose recreates a
 * container whose configuration changed, so this proves a rewrite of the file left the service as it was.
 */
export function judgeCompose(f: ComposeFields, containers: readonly ContainerSummary[], later: readonly ContainerSummary[] = [], creates = 0): CheckOutcome {
  const own = replicasOf(containers);
  const oneOffs = containers.length - own.length;
  const running = own.filter((c) => c.state === 'running');
  const what = `service ${f.service} of stack ${f.project}`;
  const found = `${running.length} running${own.length > running.length ? ` (${own.length - running.length} not running)` : ''}${
    oneOffs ? `, besides ${oneOffs} one-off container${oneOffs === 1 ? '' : 's'} of \`compose run\`, which ${oneOffs === 1 ? 'is' : 'are'} no replica` : ''
  }`;
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
      facts.push(
        fact(newer.length === 0, expected, newer.length ? `${newer.map((c) => c.name).join(', ')} came after it: Compose recreated ${newer.length === 1 ? 'it' : 'them'}` : `created before it`),
      );
    }
  }
  for (const want of f.dependsOn ?? []) {
    const [service, condition] = want.split(':');
    const ok = running.length > 0 && running.every((c) => dependsOnOf(c.labels).some((d) => d.service === service && (!condition || d.condition === condition)));
    const has = running[0]
      ? dependsOnOf(running[0].labels)
          .map((d) => `${d.service} (${d.condition})`)
          .join(', ')
      : '';
    facts.push(fact(ok, `it waits for ${service}${condition ? ` (depends_on condition ${condition})` : ''}`, running.length ? `it depends on ${has || 'nothing'}` : 'no container of it runs'));
  }
  if (f.createdOnce) {
    facts.push(
      fact(
        creates <= own.length,
        `each of its containers was created once since the lab began (none replaced)`,
        creates <= own.length ? `${creates} created, ${own.length} there` : `${creates} were created for the ${own.length} there: Compose replaced ${creates - own.length}`,
      ),
    );
  }
  return combine(facts);
}

export const compose: CheckKind = {
  kind: 'compose',
  doc: 'A Compose service has N running replicas (not counting `compose run` one-offs), found by com.docker.compose.* labels, and what it depends on.',
  fields: {
    project: { type: 'string', required: true, doc: 'Compose project name' },
    service: { type: 'string', required: true, doc: 'service name' },
    replicas: { type: 'number', doc: 'exact number of running containers' },
    minReplicas: { type: 'number', doc: 'smallest number of running containers (default 1)' },
    createdOnce: { type: 'boolean', doc: 'no container of the service was replaced since the lab began (Compose recreates what changed)' },
    createdBefore: { type: 'string', doc: 'another service of the project: these containers are older than all of its (not recreated since)' },
    dependsOn: {
      type: 'strings',
      valid: (v) =>
        /^[\w.-]+(?::service_(?:started|healthy|completed_successfully))?$/.test(v)
          ? undefined
          : { error: `${JSON.stringify(v)} is not a dependency`, fix: 'Write e.g. db:service_healthy, or db for any condition.' },
      doc: '`db:service_healthy` (or `db`): the service was created to wait for that one, on that condition (depends_on)',
    },
  },
  describe: (f) => withFields(`stack ${f.project}, service ${f.service}`, f, ['project', 'service']),
  settles: (f) => ({ containers: [], repeat: f.replicas !== undefined }),
  evaluate: async (f, ctx) => {
    const fields = f as unknown as ComposeFields;
    const of = (service: string) => ctx.docker.listContainers(serviceLabels(fields.project, service));
    const list = await of(fields.service);
    const creates = fields.createdOnce
      ? replicasOf(ofThisSession(await ctx.docker.pastEvents(serviceLabels(fields.project, fields.service), ctx.since), ctx.opened).map((e) => ({ ...e, labels: e.attributes }))).filter(
          (e) => e.action === 'create',
        ).length
      : 0;
    if (!fields.createdBefore) return judgeCompose(fields, list, [], creates);
    // The list gives creation times in whole seconds; one `up` recreates and creates within the same second.
    const exact = async (cs: readonly ContainerSummary[]) => Promise.all(cs.map(async (c) => ({ ...c, created: (await ctx.docker.inspectContainer(c.id))?.created ?? c.created })));
    return judgeCompose(fields, await exact(list), await exact(replicasOf(await of(fields.createdBefore))), creates);
  },
};
