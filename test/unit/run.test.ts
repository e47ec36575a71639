import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CommandError, mustRun, runBlock, runProcess, streamProcess } from '../../runner/host/run.js';
import { processAlive } from '../../runner/host/process-identity.js';

/** The one policy for external programs: real processes, no engine needed. */
describe('running an external program', () => {
  it('a failing program is a result: its exit code and both streams, in order', async () => {
    const r = await runProcess('bash', ['-c', 'echo out; sleep 0.05; echo err >&2; exit 4']);
    expect(r).toEqual({ code: 4, signal: undefined, timedOut: false, output: 'out\nerr\n' });
  });

  it('arguments reach the program as they are, never through a shell', async () => {
    const r = await runProcess('printf', ['%s|', 'a b', "it's", '$HOME', '; rm -rf /']);
    expect(r.output).toBe("a b|it's|$HOME|; rm -rf /|");
  });

  it('a timeout stops the whole process group, not only the program it started', async () => {
    const t0 = Date.now();
    const r = await runProcess('bash', ['-c', 'sleep 30 & echo $! ; sleep 30 | cat'], { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.code).not.toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    const background = Number(r.output.trim().split('\n')[0]);
    await new Promise((res) => setTimeout(res, 100));
    // Gone, or a zombie left for init to reap: either way no longer running.
    const running = processAlive(background) && !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${background}/stat`, 'utf8'));
    expect(running, 'a process the command left in the background').toBe(false);
  });

  it('Ctrl-C (an abort) stops the block and everything in it', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const t0 = Date.now();
    const r = await runBlock('sleep 30 | cat\necho never', { signal: ac.signal });
    expect(r.code).not.toBe(0);
    expect(r.output).not.toContain('never');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a lab block stops at its first failing command, also inside a pipe', async () => {
    expect(await runBlock('false | cat\necho after', {})).toMatchObject({ code: 1, output: '' });
    expect(await runBlock('echo one\necho two', {})).toMatchObject({ code: 0, output: 'one\ntwo\n' });
  });

  it('a lab block runs in one bash, started by lean-labs itself (no shell around it), as written', async () => {
    const r = await runBlock('echo "$BASH_VERSION"; cat /proc/$PPID/comm\nx=\'a  b\'; echo "$x" $((1 + 2))', {});
    const [version, parent, words] = r.output.trim().split('\n');
    expect(version).toMatch(/^\d+\.\d+/);
    expect(parent, "the parent of the block's bash is this process").toBe(readFileSync('/proc/self/comm', 'utf8').trim());
    expect(words).toBe('a  b 3');
  });

  it('streams large output without keeping it twice, and hands it out as a stream', async () => {
    const s = streamProcess('head', ['-c', '5000000', '/dev/zero'], { streamOnly: true });
    let bytes = 0;
    s.stdout.on('data', (d: Buffer) => (bytes += d.length));
    const r = await s.done;
    expect(r).toMatchObject({ code: 0, output: '' });
    expect(bytes).toBe(5_000_000);
  });

  it('mustRun names the command and its last lines when it fails; a missing program is said too', async () => {
    const lines: string[] = [];
    expect(await mustRun('bash', ['-c', 'echo one; echo two'], { onLine: (l) => lines.push(l) })).toBe('one\ntwo\n');
    expect(lines).toEqual(['one', 'two']);
    const err = await mustRun('bash', ['-c', 'echo why >&2; exit 3']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect((err as Error).message).toBe('`bash -c echo why >&2; exit 3` failed with exit code 3:\nwhy');
    const missing = await runProcess('lean-labs-no-such-program', []);
    expect(missing.code).toBe(127);
    expect(missing.output).toMatch(/not found/);
  });
});
