import { Box, Text } from 'ink';
import { LAB_KEYS } from './keys.js';

/** Every key of the lab screen, from the same table the key handler reads. */
export function HelpOverlay() {
  const width = Math.max(...LAB_KEYS.map((k) => k.keys.length));
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1}>
      <Text bold color="cyan">
        Keys
      </Text>
      {LAB_KEYS.map((k) => (
        <Text key={k.keys}>
          <Text bold>{k.keys.padEnd(width)}</Text>
          {'  '}
          {k.doc}
        </Text>
      ))}
      <Text> </Text>
      <Text color="gray">Type the lab's commands in your own terminal: the checks turn green by themselves. Any key closes this.</Text>
    </Box>
  );
}
