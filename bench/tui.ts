/**
 * Figures for the interactive runner, measured on a real pseudo-terminal whose output the bench reads as a stream
 * (see PtyStream): start-up to the first complete frame of the lab list, engine event to a green check on screen,
 * and memory.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerAdapter } from '../runner/docker/adapter.js';
import { packageRoot } from '../runner/paths.js';
import { PtyStream } from './pty-stream.js';
import { figure, median, percentile } from './stats.js';

const CLI = join(packageRoot(), 'dist/lean-labs.cjs');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The runner in a terminal of its own (the program on it is the runner itself, for its memory). */
function startRunner(args: string, state: string): PtyStream {
  return new PtyStream(`${process.execPath} ${CLI} start ${args}`.trim(), { ...process.env, LEAN_LABS_STATE_DIR: state }, { cwd: packageRoot() });
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function tuiFigures(out: string[]): Promise<void> {
  const state = mkdtempSync(join(tmpdir(), 'll-bench-tui-'));
  let term: PtyStream | undefined;
  try {
    // First frame: from launching the process to the complete lab list (its last row and the summary under it). The
    // first run in a new state folder compiles the program and writes its code cache; the ones after it read it.
    const firstFrames: number[] = [];
    for (let i = 0; i < 6; i++) {
      await term?.kill();
      const t0 = performance.now();
      term = startRunner('', state);
      firstFrames.push((await term.waitFor(/ambassadors[\s\S]*Run a one-shot container/)) - t0);
      // As a learner would, it is left to finish starting (it writes its code cache right after the first screen):
      // killed the moment the screen showed, it never wrote one and every run compiled the program afresh.
      await sleep(1000);
    }
    // The floor under that figure: Node itself starting and printing the same lines on the same kind of terminal.
    const floor: number[] = [];
    for (let i = 0; i < 5; i++) {
      await term?.kill();
      const t0 = performance.now();
      term = new PtyStream(`${process.execPath} -e "process.stdout.write('ambassadors\\nRun a one-shot container\\n'); setTimeout(() => {}, 9000)"`, process.env);
      floor.push((await term.waitFor(/ambassadors[\s\S]*Run a one-shot container/)) - t0);
    }
    out.push(figure('start: launch to first complete frame, first run (no code cache yet)', firstFrames[0]!, 'ms'));
    out.push(figure('start: launch to first complete frame (median of 5 after it)', median(firstFrames.slice(1)), 'ms', { max: 250 }));
    out.push(figure('  for comparison: node printing those lines on the same terminal (median of 5)', median(floor), 'ms'));

    // Event to green: the bench starts the learner's container, the runner hears the event, judges the step
    // (an inspect and an exec check) and paints it.
    spawnSync('docker', ['rm', '-f', 'ns-a'], { stdio: 'ignore' });
    await term?.kill();
    term = startRunner('namespaces', state);
    await term.waitFor(/Checks\s+0\/2 pass/, 0, 120_000);
    const docker = new DockerAdapter();
    const latencies: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < 10; i++) {
      const removedAt = term.mark();
      spawnSync('docker', ['rm', '-f', 'ns-a'], { stdio: 'ignore' });
      if (i > 0) await term.waitFor(/Checks\s+0\/2 pass/, removedAt);
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
      const startedAt = term.mark();
      spawnSync('docker', ['start', 'ns-a'], { stdio: 'ignore' });
      const green = await term.waitFor(/Checks\s+2\/2 pass/, startedAt);
      stop();
      latencies.push(green - eventAt);
      rss.push(rssMb(term.pid()));
    }
    out.push(figure('start: engine event to green check on screen (median of 10)', median(latencies), 'ms', { max: 300 }));
    out.push(figure('start: engine event to green check, p90', percentile(latencies, 90), 'ms'));
    out.push(figure('start: runner memory during a lab (max RSS)', Math.max(...rss), 'MB', { max: 120 }));
    term.keys('q');
  } finally {
    await term?.kill();
    spawnSync(process.execPath, [CLI, 'reset', 'namespaces'], { env: { ...process.env, LEAN_LABS_STATE_DIR: state }, stdio: 'ignore' });
  }
}
