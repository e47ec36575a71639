/**
 * Command output shown in the runner. Containers print anything: colours, cursor moves, screen clears, window
 * titles. Shown raw, those would wreck the runner's screen, so every control sequence is removed and only
 * printable text, newlines and tabs (as spaces) are kept. A carriage return rewrites its line, as a terminal would
 * show it (progress bars end as their last state).
 */

// CSI (ESC [ … final), OSC (ESC ] … BEL or ST), DCS/PM/APC/SOS (ESC P|^|_|X … ST), two-byte ESC sequences, 8-bit CSI.
const CONTROL_SEQUENCES =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[P^_X][^\u001b]*(?:\u001b\\)?|\u001b[ -/]*[0-~]?/g;
// C0 and C1 controls except newline, carriage return and tab.
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

export function neutralise(text: string): string {
  return text.replace(CONTROL_SEQUENCES, '').replace(CONTROLS, '').replace(/\t/g, '  ');
}

/** Applies carriage returns inside one line: what is left is what a terminal would end up showing. */
function settleLine(line: string): string {
  if (!line.includes('\r')) return line;
  let shown = '';
  for (const part of line.split('\r')) shown = part + shown.slice(part.length);
  return shown;
}

/** The last lines of a command's output; memory stays bounded however much a container prints. */
export interface Output {
  readonly lines: readonly string[];
  /** The unfinished last line. */
  readonly partial: string;
  /** Lines let go of to stay within the limit. */
  readonly dropped: number;
}

export const EMPTY_OUTPUT: Output = { lines: [], partial: '', dropped: 0 };

export function appendOutput(out: Output, text: string, limit = 200): Output {
  const parts = (out.partial + neutralise(text).replace(/\r\n/g, '\n')).split('\n');
  let partial = parts.pop() ?? '';
  const lines = [...out.lines, ...parts.map(settleLine)];
  if (partial.length > 10_000) {
    lines.push(settleLine(partial));
    partial = '';
  }
  const excess = Math.max(0, lines.length - limit);
  return { lines: excess ? lines.slice(excess) : lines, partial, dropped: out.dropped + excess };
}

/** Lines so far, the unfinished last line included. */
export function outputLines(out: Output): readonly string[] {
  const partial = settleLine(out.partial);
  return partial ? [...out.lines, partial] : out.lines;
}
