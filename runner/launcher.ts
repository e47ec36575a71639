import type { Launcher } from './code-cache.js';

/**
 * What the program tells the `bin` that runs it (runner/cli.ts): the bundle is given a `__leanLabsLauncher` (see
 * code-cache.ts); run any other way (tests, `tsc`'s output) there is none, and these do nothing.
 */
declare const __leanLabsLauncher: Launcher | undefined;

/**
 * The learner has the first screen: what runs from here on (the runner as it waits for keys and events) can be
 * tuned for memory rather than for starting fast, and the code compiled so far is worth caching.
 */
export function firstScreenDrawn(): void {
  if (typeof __leanLabsLauncher !== 'undefined') __leanLabsLauncher.started();
}
