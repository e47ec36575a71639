import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = join(import.meta.dirname, '../..');
/** The CLI as it ships: the bundled bin. */
export const CLI = join(ROOT, 'dist/lean-labs.cjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a learner would, with its own state folder unless one is given. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, LEAN_LABS_STATE_DIR: env.LEAN_LABS_STATE_DIR ?? mkdtempSync(join(tmpdir(), 'll-state-')), NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * `docker run` flags for a test's own whole engine in a container (a swarm node, an engine behind TLS or ssh): the
 * test stands in for another machine, so it is given what a machine's dockerd needs (never a class sandbox's recipe).
 */
export const NESTED_ENGINE: readonly string[] = [
  '--cap-add',
  'ALL',
  '--security-opt',
  'seccomp=unconfined',
  '--security-opt',
  'apparmor=unconfined',
  '-v',
  '/sys/fs/cgroup:/sys/fs/cgroup:rw',
  '-e',
  'DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1',
];

export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { timeout: 120_000 });
  return stdout.trim();
}

/**
 * Removes test containers by name, ignoring ones that are not there, with their anonymous volumes (from a VOLUME in
 * the image), which would otherwise pile up on the engine run after run.
 */
export async function removeContainers(...names: string[]): Promise<void> {
  await run('docker', ['rm', '-f', '-v', ...names]).catch(() => undefined);
}

export async function containerExists(name: string): Promise<boolean> {
  try {
    await docker('inspect', '--type', 'container', name);
    return true;
  } catch {
    return false;
  }
}

/** Starts a CLI command, waits until its output shows `line`, then kills it outright (SIGKILL), as a crash would. */
export async function killWhenShown(args: string[], line: string, env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  await new Promise<void>((resolve) => {
    let seen = '';
    child.stdout.on('data', (d: Buffer) => {
      seen += d;
      if (seen.includes(line)) resolve();
    });
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.on('close', r));
}
