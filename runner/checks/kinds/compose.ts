import { combine, fact } from '../outcome.js';
import type { CheckKind, CheckOutcome } from '../types.js';
import type { ContainerSummary } from '../../docker/port.js';

export const COMPOSE_PROJECT = 'com.docker.compose.project';
export const COMPOSE_SERVICE = 'com.docker.compose.service';

export interface ComposeFields {
  project: string;
  service: string;
  replicas?: number;
  minReplicas?: number;
}

/** Counts a service's running containers found by Compose's labels (v1 and v2 name containers differently). */
export function judgeCompose(f: ComposeFields, containers: readonly ContainerSummary[]): CheckOutcome {
  const running = containers.filter((c) => c.state === 'running').length;
  const what = `service ${f.service} of stack ${f.project}`;
  const found = `${running} running${containers.length > running ? ` (${containers.length - running} not running)` : ''}`;
  if (f.replicas !== undefined) return combine([fact(running === f.replicas, `${what} has ${f.replicas} running`, found)]);
  const min = f.minReplicas ?? 1;
  return combine([fact(running >= min, `${what} has at least ${min} running`, found)]);
}

export const compose: CheckKind = {
  kind: 'compose',
  doc: 'A Compose service has N running replicas, found by com.docker.compose.* labels.',
  fields: {
    project: { type: 'string', required: true, doc: 'Compose project name' },
    service: { type: 'string', required: true, doc: 'service name' },
    replicas: { type: 'number', doc: 'exact number of running containers' },
    minReplicas: { type: 'number', doc: 'smallest number of running containers (default 1)' },
  },
  describe: (f) => `stack ${f.project}: service ${f.service}`,
  evaluate: async (f, ctx) => {
    const fields = f as unknown as ComposeFields;
    const list = await ctx.docker.listContainers({ [COMPOSE_PROJECT]: fields.project, [COMPOSE_SERVICE]: fields.service });
    return judgeCompose(fields, list);
  },
};
