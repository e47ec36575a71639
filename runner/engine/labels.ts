/** Labels on everything the runner creates itself, so it can find (and only find) its own things. */
export const LAB_LABEL = 'lean-labs.lab';
export const SESSION_LABEL = 'lean-labs.session';

export function runnerLabels(lab: string, session: string): Record<string, string> {
  return { [LAB_LABEL]: lab, [SESSION_LABEL]: session };
}
