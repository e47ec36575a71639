import { takenLines, type Resource } from '../../engine/resources.js';
import { Box, Text } from 'ink';
import { useMemo, type ReactElement } from 'react';
import type { Lab } from '../../lab/types.js';
import { renderMarkdown } from '../../tutor/terminal-markdown.js';
import type { LabView } from '../../tutor/view-state.js';
import { ImagesProgress } from '../ImagesProgress.js';
import { ChecksPanel } from './ChecksPanel.js';
import { HelpOverlay } from './HelpOverlay.js';
import { MarkdownLines } from './Markdown.js';
import { OutputPane } from './OutputPane.js';

export type Overlay = 'help' | 'confirm-reset' | undefined;

export interface LabScreenProps {
  readonly lab: Lab;
  readonly view: LabView;
  readonly width: number;
  readonly height: number;
  readonly scroll: number;
  readonly overlay: Overlay;
  /** Whether the learner types commands in the lab's working folder (the lab ships files). */
  readonly hasFiles: boolean;
  readonly flash?: string;
  readonly presenter?: boolean;
}

/** The lines of the step text for a width: the layout is pure, so scrolling just moves a window over it. */
export function useStepLines(lab: Lab, index: number, width: number, complete = false) {
  return useMemo(() => {
    const step = lab.steps[index];
    // The lab's introduction comes with its first step, and its takeaway with the last once the lab is done.
    const intro = index === 0 && lab.intro.trim() ? `${lab.intro.trim()}\n\n---\n\n` : '';
    const takeaway = complete && index === lab.steps.length - 1 && lab.takeaway ? `\n\n---\n\n**Takeaway.** ${lab.takeaway}` : '';
    return step ? renderMarkdown(`${intro}## ${step.challenge ? `Challenge: ${step.title.replace(/^Challenge:\s*/i, '')}` : step.title}\n\n${step.body}${takeaway}`, width) : [];
  }, [lab, index, width, complete]);
}

/** A lab's step: its text, its checks, hints revealed, the output of a command run for the learner. */
export function LabScreen({ lab, view, width, height, scroll, overlay, hasFiles, flash, presenter }: LabScreenProps) {
  const step = lab.steps[view.index]!;
  const done = view.progress.completed.length;
  const lines = useStepLines(
    lab,
    view.index,
    width,
    lab.steps.every((st) => view.progress.completed.includes(st.id)),
  );
  const stepDone = view.progress.completed.includes(step.id);
  const lastStep = view.index === lab.steps.length - 1;
  const hintsShown = step.hints.slice(0, view.progress.hints[step.id] ?? 0);

  const top: ReactElement[] = [];
  if (!view.engine.up)
    top.push(
      <Box key="engine" flexDirection="column" borderStyle="round" borderColor="red" paddingX={1}>
        <Text color="red" bold>
          The Docker engine is not answering. Your progress is saved; checks resume when it is back.
        </Text>
        <Text wrap="truncate-end">{(view.engine.message ?? '').split('\n')[0]}</Text>
        <Text>
          Run <Text bold>npx lean-labs doctor</Text> in another terminal to see why and how to fix it.
        </Text>
      </Box>,
    );
  if (view.foreign.length)
    top.push(
      <Box key="foreign" flexDirection="column">
        {foreignLines(view.foreign).map((l, i) => (
          <Text key={i} color={i > view.foreign.length ? 'gray' : 'yellow'} wrap="wrap">
            {l}
          </Text>
        ))}
      </Box>,
    );
  if (view.notice)
    top.push(
      <Text key="notice" color={view.notice.tone === 'error' ? 'red' : view.notice.tone === 'warn' ? 'yellow' : 'cyan'} wrap="wrap">
        {view.notice.text}
      </Text>,
    );
  if (flash)
    top.push(
      <Text key="flash" color="cyan" wrap="wrap">
        {flash}
      </Text>,
    );
  if (view.images)
    top.push(
      <Box key="images" flexDirection="column">
        <Text color="cyan">Building the lab's images (first time only)…</Text>
        <ImagesProgress state={view.images} width={width} />
      </Box>,
    );
  else if (!view.ready && view.engine.up)
    top.push(
      <Text key="prep" color="gray">
        Preparing the lab…
      </Text>,
    );

  const topHeight =
    (view.engine.up ? 0 : 5) +
    foreignLines(view.foreign).reduce((n, l) => n + Math.ceil(l.length / width), 0) +
    (view.notice ? Math.ceil(view.notice.text.length / width) : 0) +
    (flash ? Math.ceil(flash.length / width) : 0) +
    (view.images ? view.images.rows.length + view.images.base.length + 1 : !view.ready && view.engine.up ? 1 : 0);
  const failing = view.results?.filter((r) => !r.outcome.pass && r.check.message).length ?? 0;
  const checksHeight = 1 + step.checks.length + failing + (step.notHere?.length ? 1 : 0);
  const hintsHeight = hintsShown.length ? hintsShown.length + 1 : 0;
  const outputHeight = view.command ? Math.min(8, Math.max(2, Math.floor(height / 5))) : 0;
  const outputBox = view.command ? outputHeight + 3 + Math.min(3, view.command.text.split('\n').filter(Boolean).length) : 0;
  const chrome = 2 + 1 + topHeight + checksHeight + hintsHeight + outputBox + 1 + (stepDone ? 1 : 0);
  const bodyHeight = Math.max(3, height - chrome);
  const maxScroll = Math.max(0, lines.length - bodyHeight);
  const offset = Math.min(scroll, maxScroll);

  const header = (
    <Text wrap="truncate-end">
      <Text bold color="cyan">
        {lab.title}
      </Text>
      <Text color="gray">{`  step ${view.index + 1} of ${lab.steps.length}${step.challenge ? ' (challenge)' : ''}  ·  ${done} done`}</Text>
      {presenter ? <Text color="magenta"> presenter</Text> : null}
      {view.engine.up ? null : <Text color="red"> engine down</Text>}
    </Text>
  );
  if (overlay === 'help')
    return (
      <Box flexDirection="column" width={width} height={height}>
        {header}
        <Box flexDirection="column" flexGrow={1} overflow="hidden">
          <HelpOverlay />
        </Box>
      </Box>
    );
  return (
    <Box flexDirection="column" width={width} height={height}>
      {header}
      <Text color="gray" wrap="truncate-end">
        {hasFiles && view.workDir ? `Type the commands in your own terminal, in ${view.workDir}` : 'Type the commands in your own terminal; the checks below follow what you do.'}
      </Text>
      <Box flexDirection="column" flexShrink={0}>
        {top}
      </Box>
      <Box flexDirection="column" flexGrow={1} flexShrink={1} overflow="hidden">
        <MarkdownLines lines={lines} offset={offset} height={bodyHeight} />
      </Box>
      <Box flexDirection="column" flexShrink={0}>
        <Text color="gray">{lines.length > bodyHeight ? `── ${offset + 1}-${Math.min(lines.length, offset + bodyHeight)} of ${lines.length} lines (↑/↓ scroll) ──` : ' '}</Text>
        <ChecksPanel checks={step.checks} results={view.results} judging={view.judging} width={width} />
        {step.notHere?.length ? <Text color="gray" wrap="truncate-end">{`  Not checked on this engine: ${step.notHere.join('; ')}`}</Text> : null}
        {stepDone ? (
          // Done is kept in the progress; the checks show the engine now. When they disagree, say so instead of
          // showing "Step complete" beside failing checks.
          view.results && !view.passed ? (
            <Text color="yellow" wrap="truncate-end">
              {'✓ You completed this step earlier; something changed since, so its checks no longer all pass.'}
            </Text>
          ) : (
            <Text color="green" bold>
              {lastStep ? '✓ Lab complete. R resets it; Esc for the lab list.' : '✓ Step complete. Press n for the next step.'}
            </Text>
          )
        ) : null}
        {hintsShown.length ? (
          <Box flexDirection="column">
            {hintsShown.map((h, i) => (
              <Text key={i} color="yellow" wrap="truncate-end">
                {`Hint ${i + 1}: ${h.replace(/\s*\n\s*/g, ' ')}`}
              </Text>
            ))}
          </Box>
        ) : null}
        {view.command ? <OutputPane command={view.command} output={view.output} height={outputHeight} width={width} /> : null}
        {overlay === 'confirm-reset' ? (
          <Text color="yellow" bold>
            {`Reset ${lab.id}? This removes what the lab made (never your own things) and starts again from step 1. y/N`}
          </Text>
        ) : (
          <Text color="gray" wrap="truncate-end">
            {step.challenge ? '' : 'r run · '}c check · h hint{step.hints.length ? ` (${hintsShown.length}/${step.hints.length})` : ''} · s solve · n/p step · R reset · ? help · q quit
          </Text>
        )}
      </Box>
    </Box>
  );
}

/** The banner shown while names the lab needs are held by the learner's own things (empty when none are). */
function foreignLines(foreign: readonly Resource[]): string[] {
  if (foreign.length === 0) return [];
  return [
    '⚠ Names this lab needs are held by your own things; checks wait until they are free:',
    ...takenLines(foreign).map((l) => `  • ${l}`),
    "Made them for this lab while the runner was closed? Press A to count them as the lab's.",
  ];
}
