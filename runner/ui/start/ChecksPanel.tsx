import { Box, Text } from 'ink';
import { checkTitle } from '../../checks/title.js';
import type { CheckSpec } from '../../lab/types.js';
import type { JudgedCheck } from '../../tutor/tutor.js';

const describe = checkTitle;

/**
 * The step's checks: green when the engine proves them, red with what was expected and what was found, grey
 * before the first judgement.
 */
export function ChecksPanel({
  checks,
  results,
  judging,
  width,
  maxLines = 12,
}: {
  readonly checks: readonly CheckSpec[];
  readonly results?: readonly JudgedCheck[];
  readonly judging: boolean;
  readonly width: number;
  readonly maxLines?: number;
}) {
  const rows = checks.map((check, i) => {
    const r = results?.[i];
    if (!r) return { mark: '·', color: 'gray', text: describe(check), detail: undefined };
    if (r.outcome.pass) return { mark: '✓', color: 'green', text: describe(check), detail: undefined };
    const found = `expected ${r.outcome.expected}, but ${r.outcome.found}`;
    return { mark: '✗', color: 'red', text: found, detail: check.message };
  });
  const passed = results ? results.filter((r) => r.outcome.pass).length : 0;
  return (
    <Box flexDirection="column" width={width}>
      <Text>
        <Text bold>Checks</Text>
        <Text color="gray">
          {results ? `  ${passed}/${checks.length} pass` : ''}
          {judging ? '  checking…' : ''}
        </Text>
      </Text>
      {rows.slice(0, maxLines).map((r, i) => (
        <Box key={i} flexDirection="column">
          <Text wrap="truncate-end">
            <Text color={r.color}>{r.mark} </Text>
            <Text color={r.mark === '✗' ? undefined : r.mark === '✓' ? 'green' : 'gray'}>{r.text.replace(/\s*\n\s*/g, ' ')}</Text>
          </Text>
          {r.detail ? (
            <Text color="gray" wrap="truncate-end">
              {'  '}
              {r.detail}
            </Text>
          ) : null}
        </Box>
      ))}
    </Box>
  );
}
