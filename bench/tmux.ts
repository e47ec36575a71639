import { execFileSync } from 'node:child_process';

/**
 * A real terminal for the runner's end-to-end tests and its benchmark: a tmux server of the test's own (its own socket, so a
 * learner's tmux is never touched), driven with send-keys and read with capture-pane.
 */
export class TmuxTerminal {
  private readonly socket = `lean-labs-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(readonly session = 'runner') {}

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Starts `command` in a detached window of the given size; env is passed on the command line. */
  start(command: string, { width = 120, height = 40 } = {}): void {
    this.tmux('new-session', '-d', '-s', this.session, '-x', String(width), '-y', String(height), command);
    this.tmux('set-option', '-t', this.session, 'remain-on-exit', 'on');
  }

  /** A second window with a shell, for typing the lab's commands as a learner would. */
  openShell(name = 'shell'): string {
    this.tmux('new-window', '-d', '-t', this.session, '-n', name, 'bash --norc --noprofile');
    return `${this.session}:${name}`;
  }

  setOption(name: string, value: string): void {
    this.tmux('set-option', '-g', name, value);
  }

  /** Sets the pane's title as a shell would, so a test can see whether anything changed it. */
  setTitle(title: string, target = `${this.session}:0`): void {
    this.tmux('select-pane', '-t', target, '-T', title);
  }

  /** What a program in the pane may change behind the learner's back: title, screen, mouse mode, paste buffers. */
  state(target = `${this.session}:0`): { title: string; alternate: string; mouse: string; buffers: string } {
    const [title = '', alternate = '', mouse = ''] = this.tmux('display-message', '-p', '-t', target, '#{pane_title}\t#{alternate_on}\t#{mouse_any_flag}').trimEnd().split('\t');
    return { title, alternate, mouse, buffers: this.tmux('list-buffers').trim() };
  }

  keys(target: string, ...keys: string[]): void {
    this.tmux('send-keys', '-t', target, ...keys);
  }

  screen(target = `${this.session}:0`): string {
    return this.tmux('capture-pane', '-p', '-t', target);
  }

  /** Waits until the screen matches; fails with the last screen so a failure shows what the learner saw. */
  async waitFor(pattern: RegExp, { target = `${this.session}:0`, timeoutMs = 30_000, pollMs = 50 } = {}): Promise<string> {
    const end = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < end) {
      last = this.screen(target);
      if (pattern.test(last)) return last;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    throw new Error(`the terminal never showed ${pattern} within ${timeoutMs} ms; it showed:\n${last}`);
  }

  /** The process running in the window (the runner, when started with `exec`). */
  pid(target = `${this.session}:0`): number {
    return Number(this.tmux('display-message', '-p', '-t', target, '#{pane_pid}').trim());
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
  }
}
