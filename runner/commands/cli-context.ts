/** What every command gets from the CLI shell: where things are, how to print, whether to ask. */
export interface CliContext {
  readonly labsDir: string;
  readonly stateDir: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly color: boolean;
  /** stdout is a terminal: live displays instead of plain lines. */
  readonly live: boolean;
  readonly yes: boolean;
  readonly confirm: (question: string) => Promise<boolean>;
}
