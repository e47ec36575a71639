/**
 * What a learner's sandbox is, as Swarm is asked for it (pure). One service per learner, one replica: the class
 * image (a Docker engine, its CLI, Compose, tmux, Node and lean-labs) running its agent. The agent makes the
 * learner's cell (images/sandbox/cell): a user namespace whose root is a range of host ids of this sandbox's own,
 * where the learner's shell and dockerd live. The sandbox's privileges are the agent's, to make the cell; the
 * learner holds none of them (the classroom section of the README has the threat model). Limits and a memory
 * reservation let Swarm's own scheduler spread learners over the nodes; the cell sits below those limits.
 */
import type { ServiceSpec } from '../runner/docker/swarm-port.js';
import { SANDBOX_SECCOMP } from './sandbox-seccomp.js';

export const CLASS_LABEL = 'lean-labs.class';
export const SANDBOX_LABEL = 'lean-labs.learner';
/** Where the sandbox's token is mounted (a Swarm secret): its agent's key to the class server. */
export const TOKEN_FILE = '/run/secrets/lean-labs-sandbox-token';
/**
 * Present in a sandbox while its agent loads the class's lab images: the runner waits for them instead of building
 * them (a sandbox is ready for its learner before its images are in).
 */
export const IMAGES_LOADING_FILE = '/run/lean-labs/images-loading';
/** Where a sandbox's agent waits for its turn to load the lab images (the class server answers 204, or 304). */
export const IMAGES_TURN_PATH = '/sandbox/images/turn';
/** Set in a sandbox: the class's labs, which the runner offers (comma-separated ids). */
export const CLASS_LABS_ENV = 'LEAN_LABS_CLASS_LABS';
/** Set in a sandbox: the first host id of the learner's cell (see CELL_IDS_LABEL). */
export const CELL_IDS_ENV = 'LEAN_LABS_CELL_IDS';
/** Set in a sandbox: the addresses its cell may not reach (SandboxPlan.refuse), comma-separated. */
export const CELL_REFUSE_ENV = 'LEAN_LABS_CELL_REFUSE';
export const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
/** Set in a sandbox: the folder the runner drops its progress events in, for the agent to send (outbox.ts). */
export const OUTBOX_ENV = 'LEAN_LABS_CLASS_OUTBOX';
export const CLASS_NAME = /^[a-z][a-z0-9-]{0,19}$/;

/** Marks a sandbox service with the first host id of its learner's cell (so no two sandboxes share ids). */
export const CELL_IDS_LABEL = 'lean-labs.cell-ids';
/** Each cell maps 65536 ids; blocks are numbered from here (16M: above every host's users and subordinate ids). */
export const CELL_BLOCK = 65536;
const FIRST_BLOCK = 256;
const LAST_BLOCK = 65534;

/**
 * The first host id for a new sandbox's cell (pure): a block no sandbox on the swarm uses, searched from a place
 * that depends on the sandbox's id, so two classes started at the same moment rarely race for one block.
 */
export function freeCellIds(used: Iterable<number>, sandbox: string): number {
  const taken = new Set([...used].map((first) => Math.floor(first / CELL_BLOCK)));
  let h = 0;
  for (const ch of sandbox) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const span = LAST_BLOCK - FIRST_BLOCK + 1;
  for (let i = 0; i < span; i++) {
    const block = FIRST_BLOCK + ((h + i) % span);
    if (!taken.has(block)) return block * CELL_BLOCK;
  }
  throw new Error('every block of host ids for cells is taken');
}

export interface SandboxPlan {
  readonly className: string;
  readonly slot: number;
  /** The first host id of the learner's cell (freeCellIds). */
  readonly cellIds: number;
  /**
   * Addresses the learner's cell may not reach, besides every private range: the class server's machine and the
   * swarm's nodes (whose addresses may be public ones).
   */
  readonly refuse: readonly string[];
  readonly image: string;
  /** The class's labs: the runner in the sandbox offers only these. */
  readonly labs: readonly string[];
  /** How sandboxes reach the class server (the agent dials out: nothing listens in a sandbox). */
  readonly serverUrl: string;
  readonly memoryBytes: number;
  readonly reservationBytes: number;
  readonly pids: number;
  readonly networkId: string;
  readonly secretId: string;
  readonly secretName: string;
}

export const sandboxId = (className: string, slot: number): string => `ll-${className}-${String(slot).padStart(3, '0')}`;
export const classLabels = (className: string): Record<string, string> => ({ [CLASS_LABEL]: className });
export const sandboxLabels = (className: string, id: string): Record<string, string> => ({ [CLASS_LABEL]: className, [SANDBOX_LABEL]: id });

/** What the sandbox's agent may do, to make the learner's cell: nothing else (the learner holds none of it). */
export const AGENT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETUID',
  'CAP_SETGID',
  'CAP_SETFCAP',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_ADMIN',
  'CAP_SYS_PTRACE',
  'CAP_SYS_CHROOT',
  'CAP_AUDIT_WRITE',
];

export function sandboxService(p: SandboxPlan): ServiceSpec {
  const id = sandboxId(p.className, p.slot);
  const labels = { ...sandboxLabels(p.className, id), [CELL_IDS_LABEL]: String(p.cellIds) };
  return {
    Name: id,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: p.image,
        Hostname: `sandbox-${p.slot}`,
        Labels: labels,
        Env: [
          `LEAN_LABS_CLASS_URL=${p.serverUrl}`,
          `LEAN_LABS_SANDBOX=${id}`,
          `${CLASS_LABS_ENV}=${p.labs.join(',')}`,
          `${CELL_IDS_ENV}=${p.cellIds}`,
          `${CELL_REFUSE_ENV}=${[...new Set(p.refuse.filter((a) => IPV4.test(a)))].join(',')}`,
        ],
        CapabilityDrop: ['ALL'],
        CapabilityAdd: AGENT_CAPABILITIES,
        // The filter refuses what no lab needs (sandbox-seccomp.ts). AppArmor's default profile would refuse the
        // agent's mounts; the learner, in the cell, is held by the user namespace instead.
        Privileges: { Seccomp: { Mode: 'custom', Profile: Buffer.from(JSON.stringify(SANDBOX_SECCOMP)).toString('base64') }, AppArmor: { Mode: 'disabled' } },
        // No host folder at all: the cell's cgroup is made below the sandbox's own.
        Mounts: [
          { Type: 'volume', Source: `${id}-engine`, Target: '/var/lib/docker', VolumeOptions: { Labels: labels } },
          { Type: 'volume', Source: `${id}-home`, Target: '/root', VolumeOptions: { Labels: labels } },
        ],
        Secrets: [{ SecretID: p.secretId, SecretName: p.secretName, File: { Name: TOKEN_FILE.split('/').pop(), UID: '0', GID: '0', Mode: 0o400 } }],
        StopGracePeriod: 10e9,
        // A small init as PID 1 reaps what exits (a dockerd the learner stopped is then gone, not a zombie).
        Init: true,
      },
      Resources: {
        Limits: { MemoryBytes: p.memoryBytes, Pids: p.pids },
        Reservations: { MemoryBytes: p.reservationBytes },
      },
      RestartPolicy: { Condition: 'any', Delay: 2e9 },
      Networks: [{ Target: p.networkId }],
    },
    Mode: { Replicated: { Replicas: 1 } },
    // Nothing dials into a sandbox (its agent dials out): no virtual IP and load balancer per service on its network.
    EndpointSpec: { Mode: 'dnsrr' },
  };
}

/** "2g", "512m", "1.5G" or bytes, as docker reads memory sizes. */
export function parseBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Math.round(Number(m[1]) * unit);
  return n > 0 ? n : undefined;
}

/** Marks the one-off services a class runs besides its sandboxes (so status never counts them as learners'). */
export const ROLE_LABEL = 'lean-labs.role';
export const sweepServiceName = (className: string): string => `ll-${className}-sweep`;

/**
 * `class down`'s helper on the swarm's other nodes: a job with one task per node (but this one), in the class
 * image (a node that ran a sandbox has it), given that node's engine socket to remove the class's volumes there,
 * found by label. It prints one JSON line of what went; it does nothing else.
 */
export function sweepService(className: string, image: string, exceptNodeId: string): ServiceSpec {
  const labels = { ...classLabels(className), [ROLE_LABEL]: 'sweep' };
  return {
    Name: sweepServiceName(className),
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: image,
        Labels: labels,
        Command: ['node', '/opt/lean-labs/dist/lean-labs.cjs', 'class', 'sweep', '--name', className],
        Env: ['DOCKER_HOST=unix:///var/run/docker.sock'],
        Mounts: [{ Type: 'bind', Source: '/var/run/docker.sock', Target: '/var/run/docker.sock' }],
      },
      Placement: { Constraints: [`node.id!=${exceptNodeId}`] },
      RestartPolicy: { Condition: 'none' },
    },
    Mode: { GlobalJob: {} },
  };
}
