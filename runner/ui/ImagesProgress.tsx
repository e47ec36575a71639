import { Box, Text } from 'ink';
import type { ImageRow, ImagesState } from '../images/progress.js';

const MARK: Record<ImageRow['status'], { mark: string; color: string }> = {
  waiting: { mark: '·', color: 'gray' },
  building: { mark: '▸', color: 'cyan' },
  done: { mark: '✓', color: 'green' },
  present: { mark: '✓', color: 'gray' },
  failed: { mark: '✗', color: 'red' },
};

function detail(r: ImageRow): string {
  switch (r.status) {
    case 'waiting':
      return 'waiting';
    case 'building':
      return r.total ? `step ${r.step}/${r.total}${r.cachedSteps ? ` (${r.cachedSteps} cached)` : ''}  ${r.text}` : 'starting';
    case 'done':
      return `built in ${(r.ms / 1000).toFixed(1)} s${r.cachedSteps ? `, ${r.cachedSteps} steps from cache` : ''}`;
    case 'present':
      return 'already built';
    case 'failed':
      return 'failed';
  }
}

/** One live row per image: step N/M, the current step, cached or not. Failures show the build's own error. */
export function ImagesProgress({ state, width = 100 }: { readonly state: ImagesState; readonly width?: number }) {
  const nameWidth = Math.max(8, ...state.rows.map((r) => r.name.length));
  return (
    <Box flexDirection="column">
      {state.base.map((line, i) => (
        <Text key={`b${i}`} color="gray">
          {line}
        </Text>
      ))}
      {state.rows.map((r) => (
        <Box key={r.name} flexDirection="column">
          <Text wrap="truncate-end">
            <Text color={MARK[r.status].color}>{MARK[r.status].mark} </Text>
            {r.name.padEnd(nameWidth)} <Text color="gray">{detail(r).slice(0, Math.max(10, width - nameWidth - 4))}</Text>
          </Text>
          {r.error ? <Text color="red">{r.error.replace(/^/gm, '    ')}</Text> : null}
        </Box>
      ))}
    </Box>
  );
}
