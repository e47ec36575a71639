import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { lazy, Suspense, useEffect, useReducer, useRef, useState } from 'react';
import type { Lab } from '../../lab/types.js';
import { freshLab, withLab, type LabProgress, type ProgressFile } from '../../tutor/progress.js';
import type { Tutor, TutorEvent } from '../../tutor/tutor.js';
import { initialLabView, reduceLabView } from '../../tutor/view-state.js';
import { labAction } from './keys.js';
import { LabList } from './LabList.js';
import type { Overlay } from './LabScreen.js';

/** A challenge step shows no command to run: the learner works it out. */
export const CHALLENGE_RUN = 'A challenge shows no command to run: work it out in your terminal. h gives a hint, s solves it for you.';

/**
 * The lab screen (and what it draws with: Markdown, the checks' titles) is loaded when a lab opens, or right after
 * the lab list is first drawn (`preloadLabScreen`): the list, the runner's first screen, waits for none of it.
 */
const loadLabScreen = () => import('./LabScreen.js');
const LabScreen = lazy(() => loadLabScreen().then((m) => ({ default: m.LabScreen })));
export const preloadLabScreen = (): void => void loadLabScreen();

/** The smallest screen the runner lays out in. */
export const MIN_COLUMNS = 60;
export const MIN_ROWS = 16;

/** What the app needs from a lab session; the real one is a Tutor, component tests may pass one on a fake engine. */
export type LabSession = Pick<Tutor, 'open' | 'judge' | 'run' | 'solve' | 'revealHint' | 'goTo' | 'reset' | 'adopt' | 'interrupt' | 'close' | 'current' | 'busy'>;

export interface StartAppProps {
  readonly labs: readonly Lab[];
  readonly progress: ProgressFile;
  /** Said once when the runner opens (a damaged progress file moved aside, a saved step clamped). */
  readonly notice?: string;
  readonly save: (p: ProgressFile) => void;
  /** A session for the lab, or the promise of one (the runner loads what sessions need after its first screen). */
  readonly createSession: (lab: Lab, progress: LabProgress | undefined, emit: (e: TutorEvent) => void, save: (p: LabProgress | undefined) => void) => LabSession | Promise<LabSession>;
  readonly initialLab?: string;
  readonly hasFiles: (lab: Lab) => boolean;
  /** Opens a shell pane beside the runner; returns a sentence to show (done, or why not). */
  readonly openPane?: (lab: Lab) => Promise<string>;
  readonly presenter?: boolean;
  /** Called with every event, for the benchmark's trace. */
  readonly onTutorEvent?: (e: TutorEvent) => void;
}

function useScreenSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  // biome-ignore lint/correctness/useExhaustiveDependencies: read() only reads stdout's size; the listener is the same while stdout is
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

/** The runner: a lab list, and a lab screen for the chosen lab. */
export function StartApp(props: StartAppProps) {
  const { exit } = useApp();
  const { columns, rows } = useScreenSize();
  const [progress, setProgress] = useState(props.progress);
  const progressRef = useRef(props.progress);
  const initialIndex = Math.max(
    0,
    props.labs.findIndex((l) => l.id === props.initialLab),
  );
  const [selected, setSelected] = useState(initialIndex);
  const [openLab, setOpenLab] = useState<Lab | undefined>(props.labs.find((l) => l.id === props.initialLab));
  const [view, dispatch] = useReducer(reduceLabView, undefined, () => initialLabView(openLab ? props.progress.labs[openLab.id] : undefined));
  const [scroll, setScroll] = useState(0);
  const [overlay, setOverlay] = useState<Overlay>(undefined);
  const [flash, setFlash] = useState<string | undefined>(props.notice);
  const session = useRef<LabSession | undefined>(undefined);

  const saveLab = (id: string, p: LabProgress | undefined) => {
    progressRef.current = withLab(progressRef.current, id, p);
    setProgress(progressRef.current);
    props.save(progressRef.current);
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: a session is made once per lab opened; the props' callbacks are the same for the app's life
  useEffect(() => {
    if (!openLab) return;
    setScroll(0);
    const made = props.createSession(
      openLab,
      progressRef.current.labs[openLab.id],
      (e) => {
        if (e.kind === 'step' || e.kind === 'opened') setScroll(0);
        dispatch(e);
        props.onTutorEvent?.(e);
      },
      (p) => saveLab(openLab.id, p),
    );
    let closed = false;
    let s: LabSession | undefined;
    const begin = (ready: LabSession) => {
      if (closed) return ready.close();
      s = ready;
      session.current = ready;
      void ready.open();
    };
    if ('then' in made) made.then(begin, (err: unknown) => setFlash(`The lab could not open: ${(err as Error).message}`));
    else begin(made);
    return () => {
      closed = true;
      s?.close();
      session.current = undefined;
    };
  }, [openLab]);

  const quit = () => {
    session.current?.close();
    exit();
  };

  // Keys can arrive faster than React re-subscribes the handler: it reads the latest state through a ref, and
  // changes the overlay through the ref too, so two quick keys ("?" then "x") act in order.
  const latest = useRef({ openLab, overlay, view, selected, rows });
  latest.current = { ...latest.current, view, rows };
  const changeOverlay = (o: Overlay) => {
    latest.current.overlay = o;
    setOverlay(o);
  };
  const select = (change: (i: number) => number) => {
    latest.current.selected = change(latest.current.selected);
    setSelected(latest.current.selected);
  };
  const open = (lab: Lab | undefined) => {
    latest.current.openLab = lab;
    // Cleared in the same render that shows the lab, so its first frame never carries the last lab's screen.
    if (lab) dispatch({ kind: 'opened', progress: progressRef.current.labs[lab.id] ?? freshLab() });
    setOpenLab(lab);
  };

  useInput((input, key) => {
    const { openLab, overlay, view, selected, rows } = latest.current;
    if (!openLab) {
      if (key.upArrow || input === 'k') select((i) => Math.max(0, i - 1));
      else if (key.downArrow || input === 'j') select((i) => Math.min(props.labs.length - 1, i + 1));
      else if (key.return && props.labs[selected]) {
        setFlash(undefined);
        open(props.labs[selected]);
      } else if (input === 'q' || (key.ctrl && input === 'c')) quit();
      return;
    }
    const s = session.current;
    if (overlay === 'help') {
      changeOverlay(undefined);
      return;
    }
    if (overlay === 'confirm-reset') {
      changeOverlay(undefined);
      if (input === 'y' || input === 'Y') void s?.reset();
      else setFlash('Reset cancelled.');
      return;
    }
    const action = labAction(input, key);
    if (action !== 'up' && action !== 'down') setFlash(undefined);
    const page = Math.max(3, rows - 14);
    switch (action) {
      case 'up':
        setScroll((n) => Math.max(0, n - 1));
        break;
      case 'down':
        setScroll((n) => n + 1);
        break;
      case 'pageUp':
        setScroll((n) => Math.max(0, n - page));
        break;
      case 'pageDown':
        setScroll((n) => n + page);
        break;
      case 'top':
        setScroll(0);
        break;
      case 'bottom':
        setScroll(10_000);
        break;
      case 'run':
        if (s?.busy) setFlash('A command is still running: wait, or Ctrl-C to stop it.');
        else if (openLab.steps[view.index]?.challenge) setFlash(CHALLENGE_RUN);
        else void s?.run('commands');
        break;
      case 'solve':
        if (s?.busy) setFlash('A command is still running: wait, or Ctrl-C to stop it.');
        else void s?.solve();
        break;
      case 'check':
        void s?.judge('key');
        break;
      case 'hint': {
        const hint = s?.revealHint();
        if (hint === undefined) setFlash(openLab.steps[view.index]?.hints.length ? 'No more hints for this step: s solves it for you.' : 'This step has no hints: s solves it for you.');
        break;
      }
      case 'next':
        if (view.index < openLab.steps.length - 1) void s?.goTo(view.index + 1);
        break;
      case 'previous':
        void s?.goTo(view.index - 1);
        break;
      case 'reset':
        if (s?.busy) setFlash('A command is still running: wait, or Ctrl-C to stop it.');
        else changeOverlay('confirm-reset');
        break;
      case 'adopt':
        if (view.foreign.length === 0) setFlash("Nothing to count as the lab's: every name the lab needs is free or already its own.");
        else void s?.adopt();
        break;
      case 'help':
        changeOverlay('help');
        break;
      case 'pane':
        if (props.openPane) void props.openPane(openLab).then(setFlash);
        else setFlash('Opening a pane needs tmux: start lean-labs inside tmux, or use a second terminal.');
        break;
      case 'back':
        if (s?.busy) setFlash('A command is still running: wait, or Ctrl-C to stop it.');
        else {
          select(() => Math.max(0, props.labs.indexOf(openLab)));
          open(undefined);
        }
        break;
      case 'interrupt':
        if (!s?.interrupt()) quit();
        break;
      case 'quit':
        quit();
        break;
      default:
        break;
    }
  });

  if (columns < MIN_COLUMNS || rows < MIN_ROWS)
    return (
      <Box flexDirection="column">
        <Text color="yellow">{`This terminal is ${columns}×${rows}; lean-labs needs at least ${MIN_COLUMNS}×${MIN_ROWS}.`}</Text>
        <Text>Make the window larger (the screen lays itself out again), or press q to quit.</Text>
      </Box>
    );
  const width = columns - 1;
  if (!openLab)
    return (
      <Box flexDirection="column">
        {flash ? <Text color="yellow">{flash}</Text> : null}
        <LabList labs={props.labs} progress={progress} selected={selected} width={width} height={rows - (flash ? 1 : 0)} />
      </Box>
    );
  return (
    <Suspense fallback={<Text dimColor>{`Opening ${openLab.title}…`}</Text>}>
      <LabScreen
        lab={view.lab?.id === openLab.id ? view.lab : openLab}
        view={view}
        width={width}
        height={rows - 1}
        scroll={scroll}
        overlay={overlay}
        hasFiles={props.hasFiles(openLab)}
        flash={flash}
        presenter={props.presenter}
      />
    </Suspense>
  );
}
