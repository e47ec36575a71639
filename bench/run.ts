/**
 * `npm run bench`: prints figures measured on the real engine. Targets are printed next to them; the
 * benchmark reports, it does not fail a build.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CHECK_KINDS } from '../runner/checks/registry.js';
import type { CheckContext } from '../runner/checks/types.js';
import { DockerAdapter } from '../runner/docker/adapter.js';
import { loadCatalog } from '../runner/images/catalog.js';
import { findLab, loadLabs } from '../runner/lab/load.js';
import { bundledLabsDir, imagesDir, packageRoot } from '../runner/paths.js';
import { figure, median, percentile, timed } from './stats.js';
import { installFigures } from './install.js';
import { tuiFigures } from './tui.js';
import { classroomFigures } from './classroom.js';

const ROUNDS = 60;
const OVERHEAD_ROUNDS = 5;
const CLI = join(packageRoot(), 'dist/lean-labs.cjs');

function sh(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: 'pipe' });
}

/** Returns the exec-based check's median (ms). */
async function checkLatency(docker: DockerAdapter, out: string[]): Promise<number> {
  const busybox = loadCatalog(imagesDir()).get('busybox')!.tag;
  spawnSync('docker', ['rm', '-f', 'llbench']);
  sh('docker', ['run', '-d', '--name', 'llbench', busybox, 'sleep', '600']);
  const ctx: CheckContext = { docker, labels: {}, helperImage: busybox, since: Date.now() };
  const kinds = [
    ['inspect-based check (container running)', 'container', { container: 'llbench', state: 'running' }, 15],
    ['exec-based check (exec ps in the container)', 'exec', { container: 'llbench', run: 'ps', stdout: 'sleep' }, 100],
  ] as const;
  const medians = new Map<string, number>();
  try {
    for (const [label, kind, fields, target] of kinds) {
      const times: number[] = [];
      for (let i = 0; i < ROUNDS + 5; i++) {
        const [outcome, ms] = await timed(() => CHECK_KINDS.get(kind)!.evaluate(fields, ctx));
        if (!outcome.pass) throw new Error(`bench check failed: ${outcome.found}`);
        if (i >= 5) times.push(ms); // the first few warm the connection
      }
      medians.set(kind, median(times));
      out.push(figure(`${label}: median of ${ROUNDS}`, median(times), 'ms', { max: target }));
      out.push(figure(`${label}: p95`, percentile(times, 95), 'ms'));
    }
    const raw: number[] = [];
    for (let i = 0; i < ROUNDS; i++) raw.push((await timed(() => docker.inspectContainer('llbench')))[1]);
    out.push(figure('raw inspect API call, for comparison: median', median(raw), 'ms'));
  } finally {
    spawnSync('docker', ['rm', '-f', 'llbench']);
  }
  return medians.get('exec')!;
}

/**
 * verify namespaces against a bash script that runs the same solution commands, in one run. `execMs` (an exec-based
 * check's median) prices the part of verify's time that is the engine running the lab's exec checks: the lowest
 * ratio those checks allow, and what is left of the overhead for lean-labs itself.
 */
function verifyOverhead(out: string[], execMs: number): void {
  const lab = findLab(loadLabs(bundledLabsDir()), 'namespaces', bundledLabsDir());
  const script = join(mkdtempSync(join(tmpdir(), 'll-bench-')), 'solution.sh');
  writeFileSync(script, ['set -e -o pipefail', ...lab.steps.flatMap((s) => s.solution.map((b) => b.text))].join('\n'));
  // Warm: images present, caches hot, for both sides alike.
  const state = mkdtempSync(join(tmpdir(), 'll-bench-state-'));
  const env = { ...process.env, LEAN_LABS_STATE_DIR: state };
  spawnSync(process.execPath, [CLI, 'verify', 'namespaces'], { env, cwd: lab.dir });
  // Alternate the two and take the median of each pair's ratio: this machine's speed drifts by 20-30 % within
  // minutes, so a pair run back to back compares like with like (the bash script alone took 5.5-6.9 s).
  const bashTimes: number[] = [];
  const verifyTimes: number[] = [];
  for (let round = 0; round < OVERHEAD_ROUNDS; round++) {
    const t0 = performance.now();
    const bash = spawnSync('bash', [script], { cwd: lab.dir, stdio: 'pipe' });
    bashTimes.push(performance.now() - t0);
    if (bash.status !== 0) throw new Error(`the plain script failed: ${bash.stderr.toString()}`);
    const t1 = performance.now();
    const verify = spawnSync(process.execPath, [CLI, 'verify', 'namespaces'], { env, stdio: 'pipe' });
    verifyTimes.push(performance.now() - t1);
    if (verify.status !== 0) throw new Error(`verify failed: ${verify.stdout.toString()}`);
  }
  const bashMs = median(bashTimes);
  const verifyMs = median(verifyTimes);
  const startup = spawnSync(process.execPath, [CLI, 'list'], { env, stdio: 'pipe' });
  if (startup.status !== 0) throw new Error('lean-labs list failed');
  const t2 = performance.now();
  spawnSync(process.execPath, [CLI, 'list'], { env, stdio: 'pipe' });
  out.push(figure('lean-labs start-up (list: load modules, parse labs)', performance.now() - t2, 'ms'));
  out.push(figure(`plain bash script of the namespaces solutions (median of ${OVERHEAD_ROUNDS})`, bashMs, 'ms'));
  out.push(figure(`lean-labs verify namespaces (median of ${OVERHEAD_ROUNDS})`, verifyMs, 'ms'));
  out.push(figure(`verify overhead ratio (verify / bash, median of ${OVERHEAD_ROUNDS} pairs)`, median(verifyTimes.map((v, i) => v / bashTimes[i]!)), 'x', { max: 1.05 }));
  // Each exec check makes the engine start a process in a container (runc exec): verify cannot judge faster.
  // A container check that reads PID 1 inside (commandIsPid1) runs a process there too.
  const execChecks = lab.steps.flatMap((s) => s.checks).filter((c) => c.kind === 'exec' || (c.kind === 'container' && c.fields.commandIsPid1)).length;
  const execTotal = execChecks * execMs;
  out.push(figure(`  the engine's time for its ${execChecks} exec checks (${execChecks} x the exec check's median)`, execTotal, 'ms'));
  out.push(figure('  lowest ratio those checks allow ((bash + their time) / bash)', (bashMs + execTotal) / bashMs, 'x'));
  out.push(figure("  lean-labs' own overhead (verify - bash - their time, medians)", verifyMs - bashMs - execTotal, 'ms'));
}

/**
 * Every bundled lab verified one after another, then side by side (--jobs 3), on the same engine: the labs spend
 * most of their time waiting (rate windows, restart back-offs, sleeps), which side by side overlaps.
 */
function verifyAllFigures(out: string[]): void {
  const env = { ...process.env, LEAN_LABS_STATE_DIR: mkdtempSync(join(tmpdir(), 'll-bench-all-')), NO_COLOR: '1' };
  const run = (args: string[]): number => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [CLI, 'verify', ...args], { env, stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`verify ${args.join(' ')} failed: ${r.stdout.toString().split('\n').slice(-20).join('\n')}`);
    return (performance.now() - t0) / 1000;
  };
  const serial = run([]);
  const side = run(['--jobs', '3']);
  out.push(figure('verify of every lab, one after another', serial, 's'));
  out.push(figure('verify of every lab, --jobs 3', side, 's'));
  out.push(figure('  side by side against one after another', side / serial, 'x', { max: 0.6 }));
}

/** Every lab image built cold (base present, no lab image or layer left) and warm (nothing changed). */
function imageBuilds(out: string[]): void {
  const ids = execFileSync('docker', ['images', '-q', '--filter', 'label=lean-labs.image'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  if (ids.length) spawnSync('docker', ['rmi', '-f', ...new Set(ids)], { stdio: 'pipe' });
  const build = () => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [CLI, 'images', 'build', '--yes'], { stdio: 'pipe', env: { ...process.env, CI: '1' } });
    if (r.status !== 0) throw new Error(`images build failed: ${r.stdout.toString()}${r.stderr.toString()}`);
    return performance.now() - t0;
  };
  out.push(figure('all lab images, cold (base present, no layers)', build() / 1000, 's'));
  out.push(figure('all lab images, warm (nothing changed)', build() / 1000, 's', { max: 10 }));
}

const USAGE = `Usage: npm run bench -- [options]   (or: node dist/bench/run.js [options])
Prints each figure measured on the real engine next to its target. It reports; it does not fail on a missed target.

Options:
  --class-only     only the classroom's figures (a class of --learners sandboxes on this machine's swarm)
  --skip-class     everything but the classroom
  --skip-images    do not rebuild the lab images (their build times are left out)
  --skip-all-labs  do not verify every lab serially and with --jobs 3 (about 8 minutes)
  --learners N     learners in the bench's class (default 30, plus one spare)
  -h, --help       this text`;

function options(): { classOnly: boolean; skipClass: boolean; skipImages: boolean; skipAllLabs: boolean; learners: number } | undefined {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        'class-only': { type: 'boolean' },
        'skip-class': { type: 'boolean' },
        'skip-images': { type: 'boolean' },
        'skip-all-labs': { type: 'boolean' },
        learners: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new Error(`${(err as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return undefined;
  }
  const learners = Number(values.learners ?? 30);
  if (!Number.isInteger(learners) || learners < 1 || learners > 300) throw new Error(`--learners takes a whole number from 1 to 300, not "${values.learners}".`);
  if (values['class-only'] && values['skip-class']) throw new Error('--class-only and --skip-class exclude each other.');
  return {
    classOnly: Boolean(values['class-only']),
    skipClass: Boolean(values['skip-class']),
    skipImages: Boolean(values['skip-images']),
    skipAllLabs: Boolean(values['skip-all-labs']),
    learners,
  };
}

async function main(): Promise<void> {
  const opts = options();
  if (!opts) return;
  const docker = new DockerAdapter();
  await docker.ping();
  const info = await docker.info();
  const out = [`lean-labs bench on Docker ${info.serverVersion}, cgroup v${info.cgroupVersion}, node ${process.version}`, ''];
  if (!opts.classOnly) {
    installFigures(out);
    const execMs = await checkLatency(docker, out);
    verifyOverhead(out, execMs);
    await tuiFigures(out);
    if (!opts.skipAllLabs) verifyAllFigures(out);
  }
  if (!opts.skipClass) await classroomFigures(out, opts.learners);
  if (!opts.classOnly && !opts.skipImages) imageBuilds(out);
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
