import { withFields } from '../describe.js';
import { combine, fact, type Fact } from '../outcome.js';
import type { CheckKind, CheckOutcome } from '../types.js';
import type { ContainerSummary } from '../../docker/port.js';

export interface LabelledFields {
  label: string;
  running?: number;
  present?: number;
}

/** `key=value` or a bare `key` (any value), as `docker ps --filter label=…` reads it. */
export function labelOf(label: string): Record<string, string> {
  const i = label.indexOf('=');
  return i < 0 ? { [label]: '' } : { [label.slice(0, i)]: label.slice(i + 1) };
}

/** How many containers carry a label: the ones a program (not the learner) made, which have no names to look up. */
export function judgeLabelled(f: LabelledFields, containers: readonly ContainerSummary[]): CheckOutcome {
  const running = containers.filter((c) => c.state === 'running');
  const names = (cs: readonly ContainerSummary[]) =>
    cs.length
      ? `: ${cs
          .map((c) => c.name)
          .sort()
          .join(', ')}`
      : '';
  const facts: Fact[] = [];
  if (f.running !== undefined) facts.push(fact(running.length === f.running, `${f.running} running containers labelled ${f.label}`, `${running.length} running${names(running)}`));
  if (f.present !== undefined) facts.push(fact(containers.length === f.present, `${f.present} containers labelled ${f.label} (running or not)`, `${containers.length}${names(containers)}`));
  return combine(facts);
}

export const labelled: CheckKind = {
  kind: 'labelled',
  doc: 'How many containers (running, or in any state) carry a label.',
  fields: {
    label: { type: 'string', required: true, doc: 'key=value, or a key for any value' },
    running: { type: 'number', doc: 'exact number of running containers with the label' },
    present: { type: 'number', doc: 'exact number of containers with the label, running or not' },
  },
  oneOf: ['running', 'present'],
  describe: (f) => withFields(`containers labelled ${f.label}`, f, ['label']),
  settles: () => ({ containers: [], repeat: true }),
  evaluate: async (f, ctx) => {
    const fields = f as unknown as LabelledFields;
    return judgeLabelled(fields, await ctx.docker.listContainers(labelOf(fields.label)));
  },
};
