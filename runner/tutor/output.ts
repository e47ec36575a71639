/**
 * Command output shown in the runner. It arrives with its control characters already made visible (see
 * text/controls.ts); here it is kept as the last lines, tabs as spaces, each line as a terminal would show it.
 */
import { escapeControls, settleLine } from '../text/controls.js';

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
  const parts = (out.partial + escapeControls(text).replace(/\t/g, '  ').replace(/\r\n/g, '\n')).split('\n');
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
