/**
 * What a learner's terminal (the page, or `class join`) shows when its connection to the sandbox is lost. Pure: the
 * browser's bundle and the command line share it.
 */

/** The server's reason, when it says what happens next ("…waiting for it to come back…"), stands alone. */
export function reconnectingLine(reason: string): string {
  const why = (reason || 'Connection lost').replace(/\.$/, '');
  return why.endsWith('…') ? why : `${why}; reconnecting…`;
}
