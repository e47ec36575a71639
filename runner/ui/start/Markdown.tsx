import { Box, Text } from 'ink';
import type { Line, Style } from '../../tutor/terminal-markdown.js';

type TextStyle = { color?: string; bold?: boolean; italic?: boolean; underline?: boolean; dimColor?: boolean };

const STYLES: Record<Style, TextStyle> = {
  plain: {},
  strong: { bold: true },
  em: { italic: true },
  code: { color: 'yellow' },
  heading: { color: 'cyan', bold: true },
  link: { color: 'blue', underline: true },
  quote: { color: 'gray', italic: true },
  rule: { color: 'gray' },
  bullet: { color: 'cyan' },
  codeblock: { color: 'white' },
  command: { color: 'green', bold: true },
  flag: { color: 'yellow' },
  string: { color: 'magenta' },
  comment: { color: 'gray' },
  variable: { color: 'cyan' },
  tableHead: { bold: true },
};

/** Paints laid-out Markdown lines; `offset` and `height` give the visible window. */
export function MarkdownLines({ lines, offset = 0, height }: { readonly lines: readonly Line[]; readonly offset?: number; readonly height?: number }) {
  const shown = height === undefined ? lines.slice(offset) : lines.slice(offset, offset + height);
  return (
    <Box flexDirection="column">
      {shown.map((line, i) => (
        <Text key={offset + i} wrap="truncate-end">
          {line.length === 0
            ? ' '
            : line.map((s, j) => (
                <Text key={j} {...STYLES[s.style]}>
                  {s.text}
                </Text>
              ))}
        </Text>
      ))}
    </Box>
  );
}
