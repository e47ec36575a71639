import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: a plain zx script, run directly too (`node test/engines/vm/vm.mjs up`).
import { bootVm, buildVm, imagesLayer, labImageTags, publishedPorts } from './vm/vm.mjs';

/** The engines of the matrix: where learners run Docker, as near as this machine can have them. */
export const ENGINES = {
  host: 'this machine: cgroup v1, classic image store, root, CLI and engine on one kernel',
  vm: 'a VM reached over TCP (as Docker Desktop is): cgroup v2, containerd image store, root',
  'vm-rootless': 'the same VM, a rootless engine (rootlesskit, slirp4netns) as a user service, cgroup v2 delegated by systemd',
} as const;
export type EngineName = keyof typeof ENGINES;

/** The engines run when none are named: all of them. */
export const DEFAULT_ENGINES: readonly EngineName[] = ['host', 'vm', 'vm-rootless'];

/** LEAN_LABS_ENGINES picks engines by name (comma or space separated); DEFAULT_ENGINES when unset. */
export function selectedEngines(env = process.env.LEAN_LABS_ENGINES): EngineName[] {
  const names = (env ?? DEFAULT_ENGINES.join(',')).split(/[\s,]+/).filter(Boolean);
  for (const n of names) if (!(n in ENGINES)) throw new Error(`LEAN_LABS_ENGINES names "${n}"; the engines are ${Object.keys(ENGINES).join(', ')}.`);
  return names as EngineName[];
}

export interface RunningEngine {
  readonly name: EngineName;
  /** What DOCKER_HOST the CLI and lean-labs use for it; undefined for this machine's own engine. */
  readonly dockerHost?: string;
  /** How many times its time a check that waits is given there (verify --patience): more under emulation. */
  readonly patience?: number;
  /** What else the learner's shell has for this engine (a rootless engine's user has its runtime folder). */
  readonly env?: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/**
 * Where the VMs a run starts record their QEMU (and file server) pids, so whoever started the run can stop any left
 * running: LEAN_LABS_VM_PIDS when set (CI's exit trap reads it), else one folder per run named by vitest's main
 * process (the global setup's own pid, the test worker's parent).
 */
export const vmPidDir = (run = process.ppid) => process.env.LEAN_LABS_VM_PIDS ?? join(tmpdir(), `lean-labs-engine-vms-${run}`);

const say = (line: string) => process.stderr.write(`${line}\n`);

/** Brings an engine of the matrix up: this machine's answers already; a VM is built (cached), loaded and booted. */
export async function startEngine(name: EngineName): Promise<RunningEngine> {
  if (name === 'host') return { name, stop: async () => {} };
  const engine = name === 'vm-rootless' ? 'rootless' : 'rootful';
  const files = await buildVm(say);
  const images: string[] = await labImageTags();
  if (!images.length) throw new Error('The local engine holds no lab images to load into the VM: run `npx lean-labs images build` first.');
  const layer = await imagesLayer(files, { engine, images, say });
  // As Docker Desktop: the learner's folders at the same paths in the VM, published ports on the learner's localhost.
  const vm = await bootVm(files, { engine, backing: layer, say, share: tmpdir(), forward: publishedPorts() });
  return {
    name,
    dockerHost: vm.dockerHost,
    patience: vm.mode === 'kvm' ? 1 : 4,
    // The rootless engine's user (uid 1000 in the VM) keeps its socket in its runtime folder, as labs tell learners.
    ...(engine === 'rootless' ? { env: { XDG_RUNTIME_DIR: '/run/user/1000' } } : {}),
    stop: async () => {
      await vm.stop();
    },
  };
}

/** Stops every VM (with its file server and connect gate) the run started and did not stop (a test that timed out, a crash). */
export function stopLeftoverVms(run: number): string[] {
  const dir = vmPidDir(run);
  if (!existsSync(dir)) return [];
  const stopped: string[] = [];
  for (const f of readdirSync(dir)) {
    const pid = Number(f);
    try {
      // Only a QEMU, its virtiofsd or its connect gate: a pid reused by something else is left alone.
      if (/^(qemu-system|virtiofsd|lean-labs-gate)/.test(readFileSync(`/proc/${pid}/comm`, 'utf8').trim())) {
        process.kill(pid, 'SIGKILL');
        stopped.push(`${readFileSync(join(dir, f), 'utf8').trim()} (pid ${pid})`);
      }
    } catch {
      // gone already
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return stopped;
}

/**
 * The built CLI as it was when the matrix began, in a folder of its own (the program, its package.json, and the
 * checkout's labs and images beside them): a rebuild during the matrix's half hour (`npm test` beside it in CI, a
 * developer's edit) never changes, or half-writes, the program a lab is being verified with.
 */
let snapshot: string | undefined;
function cliSnapshot(): string {
  if (snapshot) return snapshot;
  const root = mkdtempSync(join(tmpdir(), 'lean-labs-cli-'));
  mkdirSync(join(root, 'dist'));
  for (const f of ['lean-labs.cjs', 'lean-labs-main.js']) copyFileSync(join(process.cwd(), 'dist', f), join(root, 'dist', f));
  copyFileSync(join(process.cwd(), 'package.json'), join(root, 'package.json'));
  for (const d of ['labs', 'images']) symlinkSync(join(process.cwd(), d), join(root, d));
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  snapshot = join(root, 'dist/lean-labs.cjs');
  return snapshot;
}

/** Runs the built CLI against an engine; never throws (the exit code and output are the result). */
export function cliOn(engine: RunningEngine, args: readonly string[], timeoutMs: number): { code: number; stdout: string; stderr: string } {
  const env = { ...process.env, ...(engine.dockerHost ? { DOCKER_HOST: engine.dockerHost } : {}), ...engine.env };
  try {
    const stdout = execFileSync(process.execPath, [cliSnapshot(), ...args], { env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
