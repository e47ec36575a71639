/**
 * Names for cache entries (the parsed labs, the compiled program), not for anything an attacker chooses: node:crypto
 * takes ~5 ms to load, which the runner's first screen cannot spare. Two cyrb53 hashes of differently seeded
 * rounds: 106 bits, 28 hex digits.
 */
function cyrb53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export function cacheHash(text: string): string {
  return [cyrb53(text, 0), cyrb53(text, 0x9e3779b9)].map((h) => h.toString(16).padStart(14, '0')).join('');
}
