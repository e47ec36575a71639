/**
 * string-width for the bundle: the same answers, without its start-up cost when it can. string-width makes an
 * Intl.Segmenter when it loads (about 15 ms) and compiles its emoji expression the first time it meets a character
 * outside printable ASCII (about 35 ms): half of what the runner's first screen took, for a screen of ASCII, box
 * lines and a few symbols. A string simple.cjs can measure is measured there; anything else (emoji, combining
 * marks, jamo, astral characters, the options) goes to string-width, loaded on first use.
 */
'use strict';
const stripAnsi = require('strip-ansi').default;
const { simpleWidth } = require('./simple.cjs');

let full;
const fullWidth = () => (full ??= require('string-width').default);

module.exports = function stringWidth(input, options) {
  if (typeof input !== 'string' || input.length === 0) return 0;
  if (options && (options.ambiguousIsNarrow === false || options.countAnsiEscapeCodes)) return fullWidth()(input, options);
  const string = input.includes('\u001B') || input.includes('\u009B') ? stripAnsi(input) : input;
  const width = simpleWidth(string);
  return width >= 0 ? width : fullWidth()(string, options);
};
