/**
 * What a learner's sandbox is, as Swarm is asked for it (pure). One service per learner, one replica: the class
 * image (a Docker engine, its CLI, Compose, tmux, Node and lean-labs) running its agent, which starts the inner
 * dockerd. The privileges are the ones a nested engine needs on these hosts and no more (no --privileged: see the
 * classroom section of the README); limits and a memory reservation let Swarm's own scheduler spread learners
 * over the nodes.
 */
import type { ServiceSpec } from '../runner/docker/swarm.js';

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
/** Set in a sandbox: the folder the runner drops its progress events in, for the agent to send (outbox.ts). */
export const OUTBOX_ENV = 'LEAN_LABS_CLASS_OUTBOX';
export const CLASS_NAME = /^[a-z][a-z0-9-]{0,19}$/;

export interface SandboxPlan {
  readonly className: string;
  readonly slot: number;
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

export function sandboxService(p: SandboxPlan): ServiceSpec {
  const id = sandboxId(p.className, p.slot);
  const labels = sandboxLabels(p.className, id);
  return {
    Name: id,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: p.image,
        Hostname: `sandbox-${p.slot}`,
        Labels: labels,
        Env: [
          // /proc/sys is read-only in a task that is not privileged: the inner dockerd must not try to turn IPv6 off.
          'DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1',
          `LEAN_LABS_CLASS_URL=${p.serverUrl}`,
          `LEAN_LABS_SANDBOX=${id}`,
          `${CLASS_LABS_ENV}=${p.labs.join(',')}`,
        ],
        // ALL is what the host allows (this kind of host withholds CAP_SYS_RESOURCE; Swarm refuses a drop of it).
        CapabilityAdd: ['ALL'],
        // The host's kernel log is the host's: a learner's shell may not read it (dmesg).
        CapabilityDrop: ['CAP_SYSLOG'],
        Privileges: { Seccomp: { Mode: 'unconfined' }, AppArmor: { Mode: 'disabled' } },
        Mounts: [
          { Type: 'bind', Source: '/sys/fs/cgroup', Target: '/sys/fs/cgroup', ReadOnly: false },
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
