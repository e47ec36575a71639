/**
 * Figures for the interactive runner, measured in a real terminal (a tmux server of the benchmark's own):
 * start-up to the first complete frame of the lab list, engine event to a green check on screen, and memory.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerAdapter } from '../runner/docker/adapter.js';
import { packageRoot } from '../runner/paths.js';
import { figure, median, percentile } from './stats.js';

const CLI = join(packageRoot(), 'dist/lean-labs.js');
const SOCKET = `lean-labs-bench-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
let session = '';
let sessions = 0;
const screen = () => tmux('capture-pane', '-p', '-t', `${session}:0`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<number> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (pattern.test(screen())) return performance.now();
    await sleep(2);
  }
  throw new Error(`the runner never showed ${pattern}; it showed:\n${screen()}`);
}

/** A new tmux session per run (the previous one is closed), so runs never share a screen. */
function startRunner(args: string, state: string): void {
  if (session) spawnSync('tmux', ['-L', SOCKET, 'kill-session', '-t', session], { stdio: 'ignore' });
  session = `b${sessions++}`;
  tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', `cd ${packageRoot()} && LEAN_LABS_STATE_DIR=${state} exec ${process.execPath} ${CLI} start ${args}`);
}

function rssMb(): number {
  const pid = tmux('display-message', '-p', '-t', `${session}:0`, '#{pane_pid}').trim();
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function tuiFigures(out: string[]): Promise<void> {
  const state = mkdtempSync(join(tmpdir(), 'll-bench-tui-'));
  try {
    // First frame: from launching the process to the complete lab list (its last row and the summary under it).
    const firstFrames: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      startRunner('', state);
      firstFrames.push((await waitFor(/ambassadors[\s\S]*Run a one-shot container/)) - t0);
    }
    out.push(figure('start: launch to first complete frame (median of 5)', median(firstFrames), 'ms', { max: 500 }));

    // Event to green: the bench starts the learner's container through the API, the runner hears the event,
    // judges the step (an inspect and an exec check) and paints it.
    spawnSync('docker', ['rm', '-f', 'ns-a'], { stdio: 'ignore' });
    startRunner('namespaces', state);
    await waitFor(/Checks\s+0\/2 pass/, 120_000);
    const docker = new DockerAdapter();
    const latencies: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < 10; i++) {
      spawnSync('docker', ['rm', '-f', 'ns-a'], { stdio: 'ignore' });
      await waitFor(/Checks\s+0\/2 pass/);
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
      const green = await waitFor(/Checks\s+2\/2 pass/);
      stop();
      latencies.push(green - eventAt);
      rss.push(rssMb());
    }
    out.push(figure('start: engine event to green check on screen (median of 10)', median(latencies), 'ms', { max: 300 }));
    out.push(figure('start: engine event to green check, p90', percentile(latencies, 90), 'ms'));
    out.push(figure('start: runner memory during a lab (max RSS)', Math.max(...rss), 'MB', { max: 150 }));
    tmux('send-keys', '-t', `${session}:0`, 'q');
  } finally {
    spawnSync('tmux', ['-L', SOCKET, 'kill-server'], { stdio: 'ignore' });
    spawnSync(process.execPath, [CLI, 'reset', 'namespaces'], { env: { ...process.env, LEAN_LABS_STATE_DIR: state }, stdio: 'ignore' });
  }
}
