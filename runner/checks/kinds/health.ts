import { withFields } from '../describe.js';
import { combine, fact, type Fact } from '../outcome.js';
import type { CheckKind, CheckOutcome } from '../types.js';
import type { ContainerFacts } from '../../docker/port.js';

export interface HealthFields {
  container: string;
  status?: 'starting' | 'healthy' | 'unhealthy';
  restarts?: number;
}

/**
 * A container's health as its HEALTHCHECK reports it, and how often its restart policy restarted it. Health is only
 * read on a running container: a stopped one keeps its last status, which says nothing about now.
 */
export function judgeHealth(f: HealthFields, c: ContainerFacts | null): CheckOutcome {
  if (!c) return { pass: false, expected: `container ${f.container} exists`, found: `there is no container named ${f.container}` };
  const facts: Fact[] = [];
  if (f.status !== undefined) {
    const expected = `${f.container} is running and ${f.status}`;
    if (!c.state.running) facts.push(fact(false, expected, `it is not running (${c.state.status})`));
    else if (!c.state.health) facts.push(fact(false, expected, 'it has no healthcheck (HEALTHCHECK in its image, or --health-cmd)'));
    else facts.push(fact(c.state.health === f.status, expected, `it is ${c.state.health}`));
  }
  if (f.restarts !== undefined)
    facts.push(fact(c.state.restarts === f.restarts, `it was restarted ${f.restarts} time${f.restarts === 1 ? '' : 's'} by its restart policy`, `it was restarted ${c.state.restarts} times`));
  return combine(facts);
}

export const health: CheckKind = {
  kind: 'health',
  doc: "A running container's health (starting, healthy, unhealthy) and how often its restart policy restarted it.",
  fields: {
    container: { type: 'string', required: true, doc: 'container name' },
    status: { type: { oneOf: ['starting', 'healthy', 'unhealthy'] }, doc: 'health as its HEALTHCHECK reports it; the container must be running' },
    restarts: { type: 'number', doc: 'exact number of restarts by its restart policy (RestartCount)' },
  },
  oneOf: ['status', 'restarts'],
  describe: (f) => withFields(`health of ${f.container}`, f, ['container']),
  // A restart count moves, and a health status flips while a healthcheck is failing now and then: both must hold.
  settles: (f) => ({ containers: [String(f.container)], repeat: true }),
  evaluate: async (f, ctx) => {
    const fields = f as unknown as HealthFields;
    return judgeHealth(fields, await ctx.docker.inspectContainer(fields.container));
  },
};
