import { JsonReporter } from './json.js';
import { JunitReporter } from './junit.js';
import { PlainReporter } from './plain.js';
import { TapReporter } from './tap.js';
import type { Reporter, ReporterOptions } from './types.js';

export const REPORTERS: Readonly<Record<string, new (opts: ReporterOptions) => Reporter>> = {
  plain: PlainReporter,
  tap: TapReporter,
  junit: JunitReporter,
  json: JsonReporter,
};
