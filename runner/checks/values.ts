/** Pure conversions for check field values: sizes, durations, patterns. */

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses a size like `64m`, `1g`, `512k` or a plain byte count into bytes; undefined when malformed. */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmg]?)(?:i?b)?\s*$/i.exec(value);
  if (!m) return undefined;
  const unit = SIZE_UNITS[(m[2] ?? '').toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

/** Parses a duration like `500ms`, `5s`, `2m` or a number of milliseconds; undefined when malformed. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(value);
  if (!m) return undefined;
  const factor = m[2] === 'm' ? 60_000 : m[2] === 'ms' ? 1 : 1000;
  return Math.round(Number(m[1]) * factor);
}

/**
 * A text pattern: `/regex/flags` is a regular expression, anything else must appear as a substring.
 * Returns an error sentence when the regular expression does not compile.
 */
export function compilePattern(source: string): { test(text: string): boolean } | string {
  const m = /^\/(.*)\/([dgimsuy]*)$/s.exec(source);
  if (!m) return { test: (text) => text.includes(source) };
  try {
    const re = new RegExp(m[1] ?? '', m[2]);
    return {
      test: (text) => {
        re.lastIndex = 0;
        return re.test(text);
      },
    };
  } catch (err) {
    return `invalid regular expression ${source}: ${(err as Error).message}`;
  }
}

export function matches(pattern: string, text: string): boolean {
  const compiled = compilePattern(pattern);
  if (typeof compiled === 'string') throw new Error(compiled);
  return compiled.test(text);
}

/** Formats bytes the way learners type them (64m) when exact, else with a unit. */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [
    ['g', 1024 ** 3],
    ['m', 1024 ** 2],
    ['k', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  // Not a whole number of units: say which unit, so nobody compares binary megabytes with docker's decimal ones.
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

/**
 * A measured size as `docker images` and `docker ps -s` print it (decimal units, four significant digits: 228MB,
 * 1.99MB, 4.1kB), so the learner sees the same figure in both places.
 */
export function dockerSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < units.length - 1) {
    size /= 1000;
    i++;
  }
  return `${parseFloat(size.toPrecision(4))}${units[i]}`;
}

/** Shortens command output for a one-line message. */
export function excerpt(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(nothing)';
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export interface RestartPolicy {
  readonly name: 'no' | 'always' | 'unless-stopped' | 'on-failure';
  /** For on-failure: the retry limit (`on-failure:3`); undefined when not asked about. */
  readonly maxRetries?: number;
}

const POLICIES = ['no', 'always', 'unless-stopped', 'on-failure'] as const;

/** Reads `on-failure:3`, `always`, or `{ name: on-failure, maxRetries: 3 }`; returns a problem sentence otherwise. */
export function parseRestartPolicy(value: unknown): RestartPolicy | string {
  let name: unknown;
  let retries: unknown;
  if (typeof value === 'string') [name, retries] = value.split(':');
  else if (value && typeof value === 'object' && !Array.isArray(value)) {
    const m = value as Record<string, unknown>;
    const extra = Object.keys(m).filter((k) => k !== 'name' && k !== 'maxRetries');
    if (extra.length) return `a restart policy mapping has only name and maxRetries, not ${extra.join(', ')}`;
    name = m.name;
    retries = m.maxRetries;
  } else return `${JSON.stringify(value)} is not a restart policy`;
  if (!POLICIES.includes(name as RestartPolicy['name'])) return `${JSON.stringify(name)} is not a restart policy`;
  if (retries === undefined || retries === '') return { name: name as RestartPolicy['name'] };
  const n = Number(retries);
  if (!Number.isInteger(n) || n < 0) return `the retry limit ${JSON.stringify(retries)} is not a whole number`;
  if (name !== 'on-failure') return `only on-failure takes a retry limit (${String(name)} restarts without one)`;
  return { name: 'on-failure', maxRetries: n };
}

export function formatRestartPolicy(p: RestartPolicy): string {
  return p.maxRetries === undefined ? p.name : `${p.name}:${p.maxRetries}`;
}
