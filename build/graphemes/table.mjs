/**
 * The widths of the characters that string-width measures one at a time, worked out at build time with string-width
 * itself (see fast.cjs). A character is in the table when it is always a grapheme cluster of its own, whatever
 * printable neighbour it has, and takes at least one column: then a string of such characters (and printable ASCII)
 * is as wide as the sum of their widths, which is what string-width would add up cluster by cluster.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

/** Hangul jamo join each other and the syllables after them into one cluster: string-width has rules of its own. */
const JAMO = [
  [0x1100, 0x11ff],
  [0xa960, 0xa97f],
  [0xd7b0, 0xd7ff],
];

/**
 * Runs of the table from U+0080 to U+FFFF, as [length, width + 1, ...] (0 where the character must be measured by
 * string-width itself).
 */
export async function widthRuns(stringWidthFile) {
  const { default: stringWidth } = await import(pathToFileURL(resolve(stringWidthFile)).href);
  const segmenter = new Intl.Segmenter();
  const clusters = (s) => [...segmenter.segment(s)].length;
  const runs = [];
  let value = -1;
  for (let cp = 0x80; cp <= 0xffff; cp++) {
    let v = 0;
    const alone = cp < 0xd800 || cp > 0xdfff;
    if (alone && !JAMO.some(([a, b]) => cp >= a && cp <= b)) {
      const ch = String.fromCharCode(cp);
      const w = stringWidth(ch);
      if (w >= 1 && clusters(`a${ch}a`) === 3 && clusters(`${ch}${ch}`) === 2 && clusters(`${ch}\u00e9`) === 2) v = w + 1;
    }
    if (v === value) runs[runs.length - 2]++;
    else runs.push(1, v);
    value = v;
  }
  return runs;
}
