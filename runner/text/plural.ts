/** "1 lab", "3 labs": a count with its noun (regular plurals only, or the plural given). */
export function plural(n: number, noun: string, many = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : many}`;
}

/** Names for a sentence, in a stable order whatever order they were found or removed in: "a, b, c". */
export function nameList(names: readonly string[]): string {
  return [...names].sort().join(', ');
}
