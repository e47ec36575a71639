import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Escape sequences (colours, cursor moves, modes) and carriage returns: what is left is the text drawn. */
const CONTROL = /\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>78MDEc]|\r/g;

/**
 * A program on a pseudo-terminal of its own (util-linux `script`), its output read as a stream as a terminal
 * would receive it. The bench times the runner with this rather than with tmux: reading a tmux pane means one
 * `capture-pane` process per look, and looking every few milliseconds takes a whole CPU from the program timed.
 */
export class PtyStream {
  private readonly child: ChildProcessWithoutNullStreams;
  private text = '';
  /** How much output was dropped from the front of `text` (a long run keeps only its last megabytes). */
  private dropped = 0;
  private readonly waiters = new Set<() => void>();

  constructor(command: string, env: NodeJS.ProcessEnv, { width = 120, height = 40, cwd = process.cwd() } = {}) {
    this.child = spawn('script', ['-qfec', `stty cols ${width} rows ${height}; exec ${command}`, '/dev/null'], {
      env: { ...env, TERM: 'xterm-256color' },
      cwd,
    });
    this.child.stdout.on('data', (d: Buffer) => {
      this.text += d.toString('utf8').replace(CONTROL, '');
      if (this.text.length > 4_000_000) {
        this.dropped += this.text.length - 2_000_000;
        this.text = this.text.slice(-2_000_000);
      }
      for (const w of this.waiters) w();
    });
  }

  /** Where the output has reached: a later waitFor can look only at what comes after it. */
  mark(): number {
    return this.dropped + this.text.length;
  }

  /** Resolves with the moment the output after `from` matches. */
  waitFor(pattern: RegExp, from = 0, timeoutMs = 60_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const look = () => {
        if (!pattern.test(this.text.slice(Math.max(0, from - this.dropped)))) return false;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(performance.now());
        return true;
      };
      const check = () => void look();
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`the terminal never showed ${pattern} within ${timeoutMs} ms; its last output:\n${this.text.slice(-1500)}`));
      }, timeoutMs);
      if (look()) return;
      this.waiters.add(check);
    });
  }

  keys(text: string): void {
    this.child.stdin.write(text);
  }

  /** The program itself (script's child, which the shell became with exec). */
  pid(): number {
    const children = readFileSync(`/proc/${this.child.pid}/task/${this.child.pid}/children`, 'utf8').trim().split(/\s+/);
    return Number(children[0]);
  }

  /**
   * Stops the program and resolves once its terminal is gone: a runner still exiting would take CPU from the next
   * one timed.
   */
  kill(): Promise<void> {
    const gone = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    try {
      process.kill(this.pid(), 'SIGTERM');
    } catch {
      // already gone
    }
    this.child.kill();
    return gone;
  }
}
