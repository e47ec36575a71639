/**
 * The characters the bundle measures and splits without ICU: printable ASCII, and those in the table made at build
 * time (table.mjs): each always a grapheme cluster of its own, its width as string-width gives it.
 */
'use strict';
const RUNS = require('lean-labs:grapheme-table');

/** Width + 1 by UTF-16 code unit from U+0080 (0: not in the table). */
let table;
function widths() {
  if (table) return table;
  table = new Uint8Array(0x10000);
  let at = 0x80;
  for (let i = 0; i < RUNS.length; i += 2) {
    if (RUNS[i + 1]) table.fill(RUNS[i + 1], at, at + RUNS[i]);
    at += RUNS[i];
  }
  return table;
}

/**
 * The width of a string of printable ASCII and table characters, or -1 when it has anything else (escape codes
 * included): string-width must measure it.
 */
function simpleWidth(string) {
  let width = 0;
  let t;
  for (let i = 0; i < string.length; i++) {
    const c = string.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) width++;
    else {
      const w = c >= 0x80 ? (t ??= widths())[c] : 0;
      if (!w) return -1;
      width += w - 1;
    }
  }
  return width;
}

/**
 * Whether every UTF-16 unit of the string is a grapheme cluster of its own: printable ASCII, table characters, and
 * control characters (which break clusters on both sides), except a CR before an LF.
 */
function oneUnitClusters(string) {
  let t;
  for (let i = 0; i < string.length; i++) {
    const c = string.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) {
      if (c === 0x0d && string.charCodeAt(i + 1) === 0x0a) return false;
    } else if (c > 0x7e && (c < 0x80 || !(t ??= widths())[c])) return false;
  }
  return true;
}

module.exports = { simpleWidth, oneUnitClusters };
