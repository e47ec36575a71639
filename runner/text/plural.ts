/** "1 lab", "3 labs": a count with its noun (regular plurals only, or the plural given). */
export function plural(n: number, noun: string, many = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : many}`;
}
