import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: a plain zx script, run directly too (`node test/engines/vm/vm.mjs up`).
import { bootVm, buildVm, imagesLayer, labImageTags } from './vm/vm.mjs';

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
  stop(): Promise<void>;
}

/**
 * Where the VMs a run started record their QEMU pids, so the run's teardown stops any left running: one folder per
 * run, named by vitest's main process (the global setup's own pid, the test worker's parent).
 */
export const vmPidDir = (run = process.ppid) => join(tmpdir(), `lean-labs-engine-vms-${run}`);

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
  mkdirSync(vmPidDir(), { recursive: true });
  const pidFile = join(vmPidDir(), `${vm.pid}`);
  writeFileSync(pidFile, name);
  return {
    name,
    dockerHost: vm.dockerHost,
    stop: async () => {
      await vm.stop();
      rmSync(pidFile, { force: true });
    },
  };
}

/** The host ports the bundled labs publish (`-p [addr:]port:…`, Compose's `ports:`), which a VM must answer on. */
export function publishedPorts(labsDir = join(process.cwd(), 'labs')): number[] {
  const ports = new Set<number>();
  for (const lab of readdirSync(labsDir, { withFileTypes: true })) {
    if (!lab.isDirectory() || !existsSync(join(labsDir, lab.name, 'lab.md'))) continue;
    const text = readFileSync(join(labsDir, lab.name, 'lab.md'), 'utf8');
    for (const m of text.matchAll(/(?:-p|--publish)[ =](?:[\d.]+:)?(\d+):\d+|(?:-\s+|\[\s*|,\s*)"(?:[\d.]+:)?(\d+):\d+(?:\/tcp)?"/g)) ports.add(Number(m[1] ?? m[2]));
  }
  return [...ports].sort((a, b) => a - b);
}

/** Stops every VM the run started and did not stop (a test that timed out, a crash): nothing is left running. */
export function stopLeftoverVms(run: number): string[] {
  const dir = vmPidDir(run);
  if (!existsSync(dir)) return [];
  const stopped: string[] = [];
  for (const f of readdirSync(dir)) {
    const pid = Number(f);
    try {
      // Only a QEMU: a pid reused by something else is left alone.
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('qemu-system')) {
        process.kill(pid, 'SIGKILL');
        stopped.push(`${readFileSync(join(dir, f), 'utf8')} (pid ${pid})`);
      }
    } catch {
      // gone already
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return stopped;
}

/** Runs the built CLI against an engine; never throws (the exit code and output are the result). */
export function cliOn(engine: RunningEngine, args: readonly string[], timeoutMs: number): { code: number; stdout: string; stderr: string } {
  const env = { ...process.env, ...(engine.dockerHost ? { DOCKER_HOST: engine.dockerHost } : {}) };
  try {
    const stdout = execFileSync(process.execPath, [join(process.cwd(), 'dist/lean-labs.cjs'), ...args], { env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
