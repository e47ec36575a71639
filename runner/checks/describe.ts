import { formatRestartPolicy, formatSize, type RestartPolicy } from './values.js';

/** Fields whose values are byte counts, shown as docker writes sizes. */
const SIZE_FIELDS = new Set(['memory', 'memorySwap', 'maxSize', 'minSize', 'maxWritable', 'minWritable']);

/** Fields whose values are milliseconds, shown as a lab writes them. */
const DURATION_FIELDS = new Set(['maxLifetime', 'over', 'clock']);

function show(key: string, value: unknown): string {
  if (DURATION_FIELDS.has(key) && typeof value === 'number') return `${key} ${value % 1000 === 0 ? `${value / 1000}s` : `${value}ms`}`;
  if (SIZE_FIELDS.has(key) && typeof value === 'number') return `${key} ${value === -1 ? 'unlimited' : formatSize(value)}`;
  if (typeof value === 'boolean') return value ? key : `not ${key}`;
  if (Array.isArray(value)) return `${key} ${value.join(', ')}`;
  if (value && typeof value === 'object' && 'name' in value) return `${key} ${formatRestartPolicy(value as RestartPolicy)}`;
  return `${key} ${String(value)}`;
}

/** "container web: memory 64m, capAdd NET_RAW": what a check looks at, with every value it asks for. */
export function withFields(base: string, fields: Readonly<Record<string, unknown>>, skip: readonly string[]): string {
  const parts = Object.entries(fields)
    .filter(([k, v]) => !skip.includes(k) && v !== undefined)
    .map(([k, v]) => show(k, v));
  return parts.length ? `${base}: ${parts.join(', ')}` : base;
}
