import { Box, Text } from 'ink';
import type { Lab } from '../../lab/types.js';
import { progressLabel, type ProgressFile } from '../../tutor/progress.js';

/** The labs with each one's duration and the learner's progress; the selected one is marked. */
export function LabList({
  labs,
  progress,
  selected,
  width,
  height,
}: {
  readonly labs: readonly Lab[];
  readonly progress: ProgressFile;
  readonly selected: number;
  readonly width: number;
  readonly height: number;
}) {
  const idWidth = Math.max(...labs.map((l) => l.id.length));
  const visible = Math.max(3, height - 6);
  const first = Math.min(Math.max(0, selected - Math.floor(visible / 2)), Math.max(0, labs.length - visible));
  return (
    <Box flexDirection="column" width={width}>
      <Text>
        <Text bold color="cyan">
          lean-labs
        </Text>
        <Text color="gray"> pick a lab (↑/↓, Enter to open, q to quit)</Text>
      </Text>
      <Text> </Text>
      {labs.slice(first, first + visible).map((lab, i) => {
        const index = first + i;
        const label = progressLabel(
          progress.labs[lab.id],
          lab.steps.map((s) => s.id),
        );
        const color = label === 'done' ? 'green' : label === 'not started' ? 'gray' : 'yellow';
        const isSel = index === selected;
        return (
          <Text key={lab.id} wrap="truncate-end">
            <Text color="cyan">{isSel ? '› ' : '  '}</Text>
            <Text bold={isSel} inverse={isSel}>
              {lab.id.padEnd(idWidth)}
            </Text>
            <Text color="gray">{`  ${String(lab.durationMinutes).padStart(3)} min  `}</Text>
            <Text color={color}>{label.padEnd(12)}</Text>
            <Text>{`  ${lab.title}`}</Text>
          </Text>
        );
      })}
      <Text> </Text>
      {labs[selected] ? (
        <Text color="gray" wrap="wrap">
          {labs[selected]!.summary}
        </Text>
      ) : null}
    </Box>
  );
}
