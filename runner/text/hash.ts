/**
 * Names for cache entries (the parsed labs, the compiled program), not for anything an attacker chooses: node:crypto
 * takes ~5 ms to load, which the runner's first screen cannot spare. cyrb53's two mixed 32-bit lanes, both kept: 64
 * bits, 16 hex digits. Bytes are taken four at a time (a lab's 90 KB of text took 7 ms character by character).
 */
export function cacheHash(data: string | Uint8Array): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  const mix = (c: number) => {
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  };
  if (typeof data === 'string') for (let i = 0; i < data.length; i++) mix(data.charCodeAt(i));
  else {
    const aligned = data.byteOffset % 4 === 0 ? data : data.slice();
    const words = new Int32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >>> 2);
    for (let i = 0; i < words.length; i++) mix(words[i]!);
    for (let i = words.length * 4; i < data.length; i++) mix(data[i]!);
    mix(data.length);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1, h2].map((h) => (h >>> 0).toString(16).padStart(8, '0')).join('');
}
