/**
 * Figures for the interactive runner, measured in a real terminal (a tmux server of the benchmark's own):
 * start-up to the first complete frame of the lab list, engine event to a green check on screen, and memory.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerAdapter } from '../runner/docker/adapter.js';
import { packageRoot } from '../runner/paths.js';
import { figure, median, percentile } from './stats.js';
import { TmuxTerminal } from './tmux.js';

const CLI = join(packageRoot(), 'dist/lean-labs.js');
const POLL_MS = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The runner in a terminal of its own; `exec` makes the window's process the runner, for its memory. */
function startRunner(args: string, state: string): TmuxTerminal {
  const term = new TmuxTerminal('bench');
  term.start(`cd ${packageRoot()} && LEAN_LABS_STATE_DIR=${state} exec ${process.execPath} ${CLI} start ${args}`);
  return term;
}

/** Waits for the screen to match; returns the moment it did. */
async function seen(term: TmuxTerminal, pattern: RegExp, timeoutMs = 60_000): Promise<number> {
  await term.waitFor(pattern, { timeoutMs, pollMs: POLL_MS });
  return performance.now();
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function tuiFigures(out: string[]): Promise<void> {
  const state = mkdtempSync(join(tmpdir(), 'll-bench-tui-'));
  let term: TmuxTerminal | undefined;
  try {
    // First frame: from launching the process to the complete lab list (its last row and the summary under it).
    const firstFrames: number[] = [];
    for (let i = 0; i < 5; i++) {
      term?.kill();
      const t0 = performance.now();
      term = startRunner('', state);
      firstFrames.push((await seen(term, /ambassadors[\s\S]*Run a one-shot container/)) - t0);
    }
    out.push(figure('start: launch to first complete frame (median of 5)', median(firstFrames), 'ms', { max: 250 }));

    // Event to green: the bench starts the learner's container, the runner hears the event, judges the step
    // (an inspect and an exec check) and paints it.
    spawnSync('docker', ['rm', '-f', 'ns-a'], { stdio: 'ignore' });
    term?.kill();
    term = startRunner('namespaces', state);
    await seen(term, /Checks\s+0\/2 pass/, 120_000);
    const docker = new DockerAdapter();
    const latencies: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < 10; i++) {
      spawnSync('docker', ['rm', '-f', 'ns-a'], { stdio: 'ignore' });
      await seen(term, /Checks\s+0\/2 pass/);
      spawnSync('docker', ['create', '--name', 'ns-a', 'lean-labs/toolbox', 'sleep', 'infinity'], { stdio: 'ignore' });
      await sleep(300);
      // The clock starts when the engine's own event stream delivers the start, as the runner receives it.
      let eventAt = 0;
      const stop = await docker.watchEvents(
        (e) => {
          if (e.type === 'container' && e.action === 'start' && e.name === 'ns-a') eventAt ||= performance.now();
        },
        () => {},
      );
      spawnSync('docker', ['start', 'ns-a'], { stdio: 'ignore' });
      const green = await seen(term, /Checks\s+2\/2 pass/);
      stop();
      latencies.push(green - eventAt);
      rss.push(rssMb(term.pid()));
    }
    out.push(figure('start: engine event to green check on screen (median of 10)', median(latencies), 'ms', { max: 300 }));
    out.push(figure('start: engine event to green check, p90', percentile(latencies, 90), 'ms'));
    out.push(figure('start: runner memory during a lab (max RSS)', Math.max(...rss), 'MB', { max: 120 }));
    term.keys(`${term.session}:0`, 'q');
  } finally {
    term?.kill();
    spawnSync(process.execPath, [CLI, 'reset', 'namespaces'], { env: { ...process.env, LEAN_LABS_STATE_DIR: state }, stdio: 'ignore' });
  }
}
