import { Box, Text } from 'ink';
import { outputLines } from '../../tutor/output.js';
import type { LabView } from '../../tutor/view-state.js';

/** The command being run for the learner and its last lines of output, in a bounded box. */
export function OutputPane({
  command,
  output,
  height,
  width,
}: {
  readonly command: NonNullable<LabView['command']>;
  readonly output: LabView['output'];
  readonly height: number;
  readonly width: number;
}) {
  const lines = outputLines(output);
  const shown = lines.slice(-Math.max(1, height));
  const exit = command.exit;
  const status = !exit
    ? { text: 'running… (Ctrl-C stops it)', color: 'cyan' }
    : exit.interrupted
      ? { text: 'stopped', color: 'yellow' }
      : exit.code === 0
        ? { text: 'done', color: 'green' }
        : { text: `failed with exit code ${exit.code}`, color: 'red' };
  const typed = command.typed;
  const title = (typed ?? command.text).split('\n').filter(Boolean);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="gray" width={width} paddingX={1}>
      {title.slice(0, 3).map((l, i) => (
        <Text key={i} wrap="truncate-end">
          <Text color="gray">$ </Text>
          <Text color="green">{l}</Text>
          {typed !== undefined && i === title.length - 1 ? <Text inverse> </Text> : null}
        </Text>
      ))}
      {title.length > 3 ? <Text color="gray"> … {title.length - 3} more lines</Text> : null}
      {output.dropped ? <Text color="gray">… {output.dropped} earlier lines not shown</Text> : null}
      {shown.map((l, i) => (
        <Text key={i} wrap="truncate-end">
          {l || ' '}
        </Text>
      ))}
      <Text color={status.color}>{status.text}</Text>
    </Box>
  );
}
