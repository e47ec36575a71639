/** The keys of the runner, in one table: the key handler and the help overlay both read it. */
export type LabAction =
  | 'run'
  | 'solve'
  | 'check'
  | 'hint'
  | 'next'
  | 'previous'
  | 'reset'
  | 'help'
  | 'back'
  | 'quit'
  | 'up'
  | 'down'
  | 'pageUp'
  | 'pageDown'
  | 'top'
  | 'bottom'
  | 'pane'
  | 'interrupt'
  | 'adopt';

export interface KeyBinding {
  readonly keys: string;
  readonly action: LabAction;
  readonly doc: string;
}

export const LAB_KEYS: readonly KeyBinding[] = [
  { keys: 'r', action: 'run', doc: "run the step's commands for you (output below)" },
  { keys: 'c', action: 'check', doc: 'check now (checks also re-run by themselves when Docker reports a change)' },
  { keys: 'h', action: 'hint', doc: 'reveal the next hint' },
  { keys: 's', action: 'solve', doc: 'solve: run the solution and move on' },
  { keys: 'n  →', action: 'next', doc: 'next step' },
  { keys: 'p  ←', action: 'previous', doc: 'previous step' },
  { keys: '↑ ↓  j k', action: 'down', doc: 'scroll the step text (PgUp/PgDn or space page, g/G top/bottom)' },
  { keys: 't', action: 'pane', doc: "inside tmux: open a shell pane beside the runner, in the lab's folder" },
  { keys: 'R', action: 'reset', doc: 'reset the lab: remove what it made (asks first; never touches your own things)' },
  { keys: 'A', action: 'adopt', doc: "when the lab's names are taken: count those things as the lab's (you made them for it)" },
  { keys: 'Ctrl-C', action: 'interrupt', doc: 'stop the running command (when none runs: quit)' },
  { keys: 'Esc', action: 'back', doc: 'back to the lab list' },
  { keys: '?', action: 'help', doc: 'this help (any key closes it)' },
  { keys: 'q', action: 'quit', doc: 'quit; your place is saved and restored next time' },
];

interface KeyInfo {
  readonly upArrow?: boolean;
  readonly downArrow?: boolean;
  readonly leftArrow?: boolean;
  readonly rightArrow?: boolean;
  readonly pageUp?: boolean;
  readonly pageDown?: boolean;
  readonly escape?: boolean;
  readonly ctrl?: boolean;
}

/** Maps one key press on the lab screen to an action. */
export function labAction(input: string, key: KeyInfo): LabAction | undefined {
  if (key.ctrl && input === 'c') return 'interrupt';
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.rightArrow) return 'next';
  if (key.leftArrow) return 'previous';
  if (key.pageUp) return 'pageUp';
  if (key.pageDown) return 'pageDown';
  if (key.escape) return 'back';
  switch (input) {
    case 'r':
      return 'run';
    case 's':
      return 'solve';
    case 'c':
      return 'check';
    case 'h':
      return 'hint';
    case 'n':
      return 'next';
    case 'p':
      return 'previous';
    case 'R':
      return 'reset';
    case 'A':
      return 'adopt';
    case '?':
      return 'help';
    case 'q':
      return 'quit';
    case 'k':
      return 'up';
    case 'j':
      return 'down';
    case ' ':
      return 'pageDown';
    case 'b':
      return 'pageUp';
    case 'g':
      return 'top';
    case 'G':
      return 'bottom';
    case 't':
      return 'pane';
    default:
      return undefined;
  }
}
