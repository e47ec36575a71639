import { withFields } from '../describe.js';
import { combine, fact, type Fact } from '../outcome.js';
import type { CheckContext, CheckKind, CheckOutcome } from '../types.js';
import type { ContainerFacts } from '../../docker/port.js';
import { runningReplicas } from './compose.js';

export interface HealthFields {
  container?: string;
  project?: string;
  service?: string;
  status?: 'starting' | 'healthy' | 'unhealthy';
  restarts?: number;
}

const nameOf = (f: HealthFields): string => f.container ?? `service ${f.service} of stack ${f.project}`;

/**
 * A container's health as its HEALTHCHECK reports it, and how often its restart policy restarted it. Health is only
 * read on a running container: a stopped one keeps its last status, which says nothing about now.
 */
export function judgeHealth(f: HealthFields, c: ContainerFacts | null, name = f.container ?? ''): CheckOutcome {
  if (!c) return { pass: false, expected: `container ${name} exists`, found: `there is no container named ${name}` };
  const facts: Fact[] = [];
  if (f.status !== undefined) {
    const expected = `${name} is running and ${f.status}`;
    if (!c.state.running) facts.push(fact(false, expected, `it is not running (${c.state.status})`));
    else if (!c.state.health) facts.push(fact(false, expected, 'it has no healthcheck (HEALTHCHECK in its image, --health-cmd, or healthcheck: in the Compose file)'));
    else facts.push(fact(c.state.health === f.status, expected, `it is ${c.state.health}`));
  }
  if (f.restarts !== undefined)
    facts.push(fact(c.state.restarts === f.restarts, `it was restarted ${f.restarts} time${f.restarts === 1 ? '' : 's'} by its restart policy`, `it was restarted ${c.state.restarts} times`));
  return combine(facts);
}

/** Every running replica of a Compose service is judged; the service passes when each of them does. */
async function judgeService(f: HealthFields, ctx: CheckContext): Promise<CheckOutcome> {
  const replicas = await runningReplicas(ctx.docker, f.project!, f.service!);
  if (!replicas.length) return { pass: false, expected: `${nameOf(f)} is running`, found: 'no container of it is running' };
  const outcomes = await Promise.all(replicas.map(async (r) => judgeHealth(f, await ctx.docker.inspectContainer(r.id), r.name)));
  const failed = outcomes.filter((o) => !o.pass);
  return { pass: failed.length === 0, expected: outcomes.map((o) => o.expected).join('; '), found: (failed.length ? failed : outcomes).map((o) => o.found).join('; ') };
}

export const health: CheckKind = {
  kind: 'health',
  doc: "A running container's health (starting, healthy, unhealthy), or every replica's of a Compose service, and how often its restart policy restarted it.",
  fields: {
    container: { type: 'string', doc: 'container name (or project and service)' },
    project: { type: 'string', doc: 'Compose project name, with service' },
    service: { type: 'string', doc: 'Compose service: each of its running replicas is judged' },
    status: { type: { oneOf: ['starting', 'healthy', 'unhealthy'] }, doc: 'health as its HEALTHCHECK reports it; the container must be running' },
    restarts: { type: 'number', doc: 'exact number of restarts by its restart policy (RestartCount)' },
  },
  oneOf: ['status', 'restarts'],
  targets: [['container'], ['project', 'service']],
  describe: (f) => withFields(`health of ${nameOf(f as HealthFields)}`, f, ['container', 'project', 'service']),
  // A restart count moves, and a health status flips while a healthcheck is failing now and then: both must hold.
  settles: (f) => ({ containers: f.container ? [String(f.container)] : [], repeat: true }),
  evaluate: async (f, ctx) => {
    const fields = f as unknown as HealthFields;
    if (fields.container === undefined) {
      if (!fields.project || !fields.service)
        return { pass: false, expected: 'a container, or a project and a service', found: 'the check names neither: add `container:`, or `project:` and `service:`' };
      return judgeService(fields, ctx);
    }
    return judgeHealth(fields, await ctx.docker.inspectContainer(fields.container));
  },
};
