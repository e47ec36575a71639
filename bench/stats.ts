/** Small statistics for benchmark figures. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, performance.now() - t0];
}

/** One printed figure: name, value, unit, and the target it is held to. */
export function figure(name: string, value: number, unit: string, target?: { max: number }): string {
  const verdict = target ? (value <= target.max ? `ok (target ≤ ${target.max} ${unit})` : `OVER target ≤ ${target.max} ${unit}`) : '';
  return `${name.padEnd(52)} ${value.toFixed(unit === 'x' ? 3 : 1).padStart(9)} ${unit.padEnd(3)} ${verdict}`;
}
