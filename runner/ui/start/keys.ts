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

/** One key press: a character (with Ctrl, or without), or a special key. */
export type Press = { readonly input: string; readonly ctrl?: true } | { readonly special: Exclude<keyof KeyInfo, 'ctrl'> };

/** A row of the help: the keys as shown, what they do, and the presses behind them with the action of each. */
export interface KeyBinding {
  readonly keys: string;
  readonly doc: string;
  readonly presses: ReadonlyArray<readonly [Press, LabAction]>;
}

const ch = (input: string, action: LabAction) => [{ input }, action] as const;
const special = (key: Exclude<keyof KeyInfo, 'ctrl'>, action: LabAction) => [{ special: key }, action] as const;

/** Every key of the lab screen, in the order the help lists them (a press with Ctrl never matches one without). */
export const LAB_KEYS: readonly KeyBinding[] = [
  { keys: 'r', doc: "run the step's commands for you (output below)", presses: [ch('r', 'run')] },
  { keys: 'c', doc: 'check now (checks also re-run by themselves when Docker reports a change)', presses: [ch('c', 'check')] },
  { keys: 'h', doc: 'reveal the next hint', presses: [ch('h', 'hint')] },
  { keys: 's', doc: 'solve: run the solution and move on', presses: [ch('s', 'solve')] },
  { keys: 'n  →', doc: 'next step', presses: [ch('n', 'next'), special('rightArrow', 'next')] },
  { keys: 'p  ←', doc: 'previous step', presses: [ch('p', 'previous'), special('leftArrow', 'previous')] },
  {
    keys: '↑ ↓  j k',
    doc: 'scroll the step text (PgUp/PgDn or space page, g/G top/bottom)',
    presses: [
      special('upArrow', 'up'),
      special('downArrow', 'down'),
      ch('k', 'up'),
      ch('j', 'down'),
      special('pageUp', 'pageUp'),
      special('pageDown', 'pageDown'),
      ch(' ', 'pageDown'),
      ch('b', 'pageUp'),
      ch('g', 'top'),
      ch('G', 'bottom'),
    ],
  },
  { keys: 't', doc: "inside tmux: open a shell pane beside the runner, in the lab's folder", presses: [ch('t', 'pane')] },
  { keys: 'R', doc: 'reset the lab: remove what it made (asks first; never touches your own things)', presses: [ch('R', 'reset')] },
  { keys: 'A', doc: "when the lab's names are taken: count those things as the lab's (you made them for it)", presses: [ch('A', 'adopt')] },
  { keys: 'Ctrl-C', doc: 'stop the running command (when none runs: quit)', presses: [[{ input: 'c', ctrl: true }, 'interrupt']] },
  { keys: 'Esc', doc: 'back to the lab list', presses: [special('escape', 'back')] },
  { keys: '?', doc: 'this help (any key closes it)', presses: [ch('?', 'help')] },
  { keys: 'q', doc: 'quit; your place is saved and restored next time', presses: [ch('q', 'quit')] },
];

const matches = (p: Press, input: string, key: KeyInfo): boolean => ('special' in p ? Boolean(key[p.special]) : p.input === input && Boolean(p.ctrl) === Boolean(key.ctrl));

/** Maps one key press on the lab screen to an action, from the table the help shows. */
export function labAction(input: string, key: KeyInfo): LabAction | undefined {
  for (const row of LAB_KEYS) for (const [press, action] of row.presses) if (matches(press, input, key)) return action;
  return undefined;
}
