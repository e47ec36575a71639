import { UserError } from '../errors.js';
import type { DockerPort } from '../docker/port.js';
import type { Lab } from '../lab/types.js';
import { COMPOSE_PROJECT } from '../checks/kinds/compose.js';
import { LAB_LABEL } from './labels.js';
import { isOwned, type Candidate } from './ownership.js';
import type { SessionRecord } from './session.js';

export type ResourceType = 'container' | 'volume' | 'network' | 'image';

export interface Resource {
  readonly type: ResourceType;
  readonly name: string;
  /** What the engine removes it by. */
  readonly ref: string;
  readonly created: number;
}

export interface Survey {
  /** The lab's own: safe to remove. */
  readonly owned: Resource[];
  /** Same-named but the learner's: never touched. */
  readonly foreign: Resource[];
}

const REMOVE_ORDER: readonly ResourceType[] = ['container', 'network', 'volume', 'image'];

/** Finds everything of a lab on the engine: declared names, compose projects, and runner-labelled things. */
export async function survey(docker: DockerPort, lab: Lab, session: SessionRecord | undefined): Promise<Survey> {
  const owned = new Map<string, Resource>();
  const foreign = new Map<string, Resource>();
  const sort = (r: Resource, c: Candidate) => {
    const key = `${r.type}:${r.ref}`;
    if (isOwned(c, lab.id, session)) owned.set(key, r);
    else foreign.set(key, r);
  };

  const declared = lab.resources;
  await Promise.all([
    ...declared.containers.map(async (name) => {
      const c = await docker.inspectContainer(name);
      if (c) sort({ type: 'container', name, ref: c.id, created: c.created }, c);
    }),
    ...declared.volumes.map(async (name) => {
      const v = await docker.inspectVolume(name);
      if (v) sort({ type: 'volume', name, ref: v.name, created: v.created }, v);
    }),
    ...declared.networks.map(async (name) => {
      const n = await docker.inspectNetwork(name);
      if (n) sort({ type: 'network', name, ref: n.id, created: n.created }, n);
    }),
    ...declared.images.map(async (name) => {
      const i = await docker.inspectImage(name);
      if (i) sort({ type: 'image', name, ref: name, created: i.created }, i);
    }),
    ...declared.compose.map(async (project) => {
      const label = { [COMPOSE_PROJECT]: project };
      const [cs, ns, vs] = await Promise.all([docker.listContainers(label), docker.listNetworks(label), docker.listVolumes(label)]);
      for (const c of cs) sort({ type: 'container', name: c.name, ref: c.id, created: c.created }, c);
      for (const n of ns) sort({ type: 'network', name: n.name, ref: n.id, created: n.created }, n);
      for (const v of vs) sort({ type: 'volume', name: v.name, ref: v.name, created: v.created }, v);
    }),
    (async () => {
      const label = { [LAB_LABEL]: lab.id };
      const [cs, ns, vs] = await Promise.all([docker.listContainers(label), docker.listNetworks(label), docker.listVolumes(label)]);
      for (const c of cs) owned.set(`container:${c.id}`, { type: 'container', name: c.name, ref: c.id, created: c.created });
      for (const n of ns) owned.set(`network:${n.id}`, { type: 'network', name: n.name, ref: n.id, created: n.created });
      for (const v of vs) owned.set(`volume:${v.name}`, { type: 'volume', name: v.name, ref: v.name, created: v.created });
    })(),
  ]);
  return { owned: [...owned.values()], foreign: [...foreign.values()] };
}

/** Removes the given resources, containers first so their volumes and networks come free. */
export async function removeAll(docker: DockerPort, resources: readonly Resource[]): Promise<Resource[]> {
  const removed: Resource[] = [];
  for (const type of REMOVE_ORDER) {
    const batch = resources.filter((r) => r.type === type);
    await Promise.all(
      batch.map(async (r) => {
        if (type === 'container') await docker.removeContainer(r.ref);
        else if (type === 'network') await docker.removeNetwork(r.ref);
        else if (type === 'volume') await docker.removeVolume(r.ref);
        else await docker.removeImage(r.ref);
        removed.push(r);
      }),
    );
  }
  return removed;
}

export function describeResource(r: Resource): string {
  return `${r.type} ${r.name}`;
}

export class ResourceClashError extends UserError {
  readonly foreign: readonly Resource[];
  constructor(labId: string, foreign: readonly Resource[]) {
    const list = foreign.map((r) => `  - ${describeResource(r)} (made ${new Date(r.created).toISOString()})`).join('\n');
    super(
      `Lab ${labId} uses names that are already taken by things lean-labs did not make:\n${list}\n` +
        '  lean-labs never removes what you made yourself. Rename or remove them (for a container: `docker rm -f <name>`),\n' +
        `  then run the command again. \`npx lean-labs reset ${labId}\` shows what the lab itself left behind.`,
    );
    this.foreign = foreign;
  }
}
