import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, CLI, docker, ROOT } from './helpers.js';
import { TmuxTerminal } from '../../bench/tmux.js';

/**
 * The runner in a real terminal (tmux) against the real engine: what a learner does with `lean-labs start`.
 */
describe('lean-labs start in a real terminal', () => {
  const state = mkdtempSync(join(tmpdir(), 'll-start-'));
  const term = new TmuxTerminal();
  // The shell lingers after the runner exits: tmux can lose a process's last output when its terminal closes at
  // the same moment, and the runner's goodbye line is what the test reads.
  // CI=true: CI jobs and some cloud workspaces set it, and Ink then draws nothing until exit; the runner must still draw.
  const command = `cd ${ROOT} && CI=true LEAN_LABS_STATE_DIR=${state} ${process.execPath} ${CLI} start namespaces; sleep 5`;

  afterAll(async () => {
    term.kill();
    await cli(['reset', 'namespaces'], { LEAN_LABS_STATE_DIR: state });
  });

  it('runs a step with a key, turns a check green when the learner types in another pane, and resumes after quitting', async () => {
    // The lab must start from nothing, or the first checks would pass for the wrong reason.
    await expect(docker('inspect', 'ns-a')).rejects.toThrow();
    term.start(command);
    // Step 1 opens with its checks failing: nothing has been done yet.
    const opened = await term.waitFor(/Checks\s+0\/2 pass/, { timeoutMs: 120_000 });
    expect(opened).toContain('Start a long-running container');
    expect(opened).toContain('step 1 of 9');

    // r runs the step's commands for the learner: output shows, and the checks pass.
    term.keys(`${term.session}:0`, 'r');
    // The checks may turn green as soon as the container exists; the output follows when the command ends.
    const ran = await term.waitFor(/Checks\s+2\/2 pass[\s\S]*1 sleep[\s\S]*│ done/);
    expect(ran).toContain('Step complete');

    term.keys(`${term.session}:0`, 'n');
    await term.waitFor(/step 2 of 9[\s\S]*Checks\s+0\/3 pass/);

    // The learner types the step's command in their own shell; no key is pressed in the runner.
    const shell = term.openShell();
    term.keys(shell, 'docker run -d --name ns-pid --pid container:ns-a lean-labs/toolbox sleep infinity', 'Enter');
    const green = await term.waitFor(/Checks\s+3\/3 pass/, { timeoutMs: 20_000 });
    expect(green).toContain('✓ ns-a and ns-pid share pid');

    term.keys(`${term.session}:0`, 'q');
    const after = await term.waitFor(/Progress saved/);
    expect(after).toContain('namespaces: step 2 of 9');

    // Starting again lands on the same step, with the earlier step still counted as done.
    term.kill();
    const again = new TmuxTerminal('again');
    try {
      again.start(command);
      const resumed = await again.waitFor(/Checks\s+3\/3 pass/, { timeoutMs: 30_000 });
      expect(resumed).toContain('step 2 of 9');
      expect(resumed).toContain('2 done');
      again.keys(`${again.session}:0`, 'q');
      await again.waitFor(/Progress saved/);
    } finally {
      again.kill();
    }
  });

  it('refuses to draw without a terminal and points to verify', async () => {
    const r = await cli(['start', 'namespaces']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('needs a terminal');
    expect(r.stderr).toContain('npx lean-labs verify');
  });
});
