import { UserError } from '../errors.js';
import type { DockerPort } from '../docker/port.js';
import type { Lab } from '../lab/types.js';
import { COMPOSE_PROJECT } from '../checks/kinds/compose.js';
import { LAB_LABEL } from './labels.js';
import { CLOCK_SLACK_MS, foreignReason, judgeOwnership, resourceKey, type Candidate } from './ownership.js';
import type { SessionRecord } from './session.js';

export type ResourceType = 'container' | 'volume' | 'network' | 'image';

export interface Resource {
  readonly type: ResourceType;
  readonly name: string;
  /** What the engine removes it by. */
  readonly ref: string;
  readonly created: number;
  /** How session records name it (see ownership.ts). */
  readonly key: string;
  /** For a learner's thing: why it is not the lab's, in words. */
  readonly why?: string;
  /** An anonymous volume (a VOLUME of an image, or `-v /path`) that one of the lab's containers mounted. */
  readonly anonymous?: boolean;
}

export interface Survey {
  /** The lab's own: safe to judge and remove. */
  readonly owned: Resource[];
  /** Same-named but the learner's: never judged, never touched. */
  readonly foreign: Resource[];
}

const REMOVE_ORDER: readonly ResourceType[] = ['container', 'network', 'volume', 'image'];
const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

/** Finds everything of a lab on the engine: declared names, compose projects, runner-labelled things, and the
 * anonymous volumes its containers mounted during the session. */
export async function survey(docker: DockerPort, lab: Lab, session: SessionRecord | undefined, opts: { readonly anonymous?: boolean } = {}): Promise<Survey> {
  const owned = new Map<string, Resource>();
  const foreign = new Map<string, Resource>();
  const sort = (type: ResourceType, name: string, ref: string, c: Candidate) => {
    const key = resourceKey(type, ref, c.created);
    const verdict = judgeOwnership(c, key, lab.id, session);
    const r: Resource = { type, name, ref, created: c.created, key };
    if (verdict.owned) owned.set(`${type}:${ref}`, r);
    else foreign.set(`${type}:${ref}`, { ...r, why: foreignReason(verdict.why) });
  };

  const declared = lab.resources;
  await Promise.all([
    ...declared.containers.map(async (name) => {
      const c = await docker.inspectContainer(name);
      if (c) sort('container', name, c.id, c);
    }),
    ...declared.volumes.map(async (name) => {
      const v = await docker.inspectVolume(name);
      if (v) sort('volume', name, v.name, v);
    }),
    ...declared.networks.map(async (name) => {
      const n = await docker.inspectNetwork(name);
      if (n) sort('network', name, n.id, n);
    }),
    ...declared.images.map(async (name) => {
      const i = await docker.inspectImage(name);
      if (i) sort('image', name, name, i);
    }),
    ...declared.compose.map(async (project) => {
      const label = { [COMPOSE_PROJECT]: project };
      const [cs, ns, vs] = await Promise.all([docker.listContainers(label), docker.listNetworks(label), docker.listVolumes(label)]);
      for (const c of cs) sort('container', c.name, c.id, c);
      for (const n of ns) sort('network', n.name, n.id, n);
      for (const v of vs) sort('volume', v.name, v.name, v);
    }),
    (async () => {
      const label = { [LAB_LABEL]: lab.id };
      const [cs, ns, vs] = await Promise.all([docker.listContainers(label), docker.listNetworks(label), docker.listVolumes(label)]);
      for (const c of cs) sort('container', c.name, c.id, c);
      for (const n of ns) sort('network', n.name, n.id, n);
      for (const v of vs) sort('volume', v.name, v.name, v);
    })(),
  ]);
  if (session && opts.anonymous !== false) for (const v of await anonymousVolumes(docker, lab, session)) if (!owned.has(`volume:${v.ref}`)) owned.set(`volume:${v.ref}`, v);
  return { owned: [...owned.values()], foreign: [...foreign.values()] };
}

/**
 * Anonymous volumes are named by the engine, so no lab can declare them: a container removed without `-v`
 * leaves its volumes behind. They are the lab's when a container of the lab (by its declared name, Compose
 * project or label) mounted them and the engine made them while a session of the lab was open.
 */
async function anonymousVolumes(docker: DockerPort, lab: Lab, session: SessionRecord): Promise<Resource[]> {
  const since = session.startedAt - CLOCK_SLACK_MS + session.skewMs;
  const [containers, volumes] = await Promise.all([docker.history('container', since), docker.history('volume', since)]);
  const names = new Set(lab.resources.containers);
  const projects = new Set(lab.resources.compose);
  const labContainers = new Set(
    containers
      .filter((e) => e.action === 'create')
      .filter((e) => names.has(e.attributes.name ?? '') || projects.has(e.attributes[COMPOSE_PROJECT] ?? '') || e.attributes[LAB_LABEL] === lab.id)
      .map((e) => e.id ?? ''),
  );
  const mounted = new Set(volumes.filter((e) => e.action === 'mount' && labContainers.has(e.attributes.container ?? '')).map((e) => e.id ?? ''));
  const found: Resource[] = [];
  await Promise.all(
    [...mounted]
      .filter((name) => name && !lab.resources.volumes.includes(name))
      .map(async (name) => {
        const v = await docker.inspectVolume(name);
        // Only a volume without a name of its own: a named one the learner mounted into a lab container is theirs.
        if (!v || !(ANONYMOUS_LABEL in v.labels || /^[0-9a-f]{64}$/.test(v.name))) return;
        const key = resourceKey('volume', v.name, v.created);
        if (judgeOwnership(v, key, lab.id, session).owned) found.push({ type: 'volume', name: v.name, ref: v.name, created: v.created, key, anonymous: true });
      }),
  );
  return found;
}

/** Anonymous volumes of the lab that no container of the lab holds any more: left by a removal without -v. */
export async function orphanedVolumes(docker: DockerPort, found: Survey): Promise<Resource[]> {
  const containers = await Promise.all(found.owned.filter((r) => r.type === 'container').map((r) => docker.inspectContainer(r.ref)));
  const held = new Set(containers.flatMap((c) => c?.mounts.map((m) => m.name ?? '') ?? []));
  return found.owned.filter((r) => r.anonymous && !held.has(r.name));
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
  return r.anonymous ? `anonymous volume ${r.name.slice(0, 12)}` : `${r.type} ${r.name}`;
}

/** What the learner can type to free a name the lab needs (never done for them). */
export function freeingCommand(r: Resource): string {
  switch (r.type) {
    case 'container':
      return `docker rename ${r.name} ${r.name}-mine`;
    case 'volume':
      return `docker volume rm ${r.name}`;
    case 'network':
      return `docker network rm ${r.name}`;
    default:
      return `docker tag ${r.name} ${r.name.split(':')[0]}:mine && docker rmi ${r.name}`;
  }
}

/** One line per name the lab needs that the learner's things hold: what, why it is theirs, how to free it. */
export function takenLines(foreign: readonly Resource[]): string[] {
  return foreign.map((r) => `${describeResource(r)} (${r.why ?? 'not made by the lab'}): free it with \`${freeingCommand(r)}\``);
}

export class ResourceClashError extends UserError {
  readonly foreign: readonly Resource[];
  constructor(labId: string, foreign: readonly Resource[]) {
    super(
      `Lab ${labId} needs names that your own things hold:\n${takenLines(foreign)
        .map((l) => `  - ${l}`)
        .join('\n')}\n` +
        '  lean-labs never judges or removes what you made yourself. Free the names (or remove those things yourself),\n' +
        `  then run the command again. \`npx lean-labs reset ${labId}\` removes what the lab itself left behind.`,
    );
    this.foreign = foreign;
  }
}
