/**
 * The `Intl` the bundled packages that split text into graphemes see (the plugin gives it to each module that makes
 * an Intl.Segmenter): the real one, except that a grapheme Segmenter splits a string of one-unit clusters
 * (simple.cjs) itself and makes ICU's only for other text. The first Intl.Segmenter costs about 15 ms (ICU loads its
 * break rules), and Ink's output and slice-ansi each make one when they load.
 */
'use strict';
const { oneUnitClusters } = require('./simple.cjs');

class OneUnitSegments {
  constructor(input) {
    this.input = input;
  }
  containing(index = 0) {
    const i = Math.trunc(Number(index)) || 0;
    if (i < 0 || i >= this.input.length) return undefined;
    return { segment: this.input[i], index: i, input: this.input };
  }
  *[Symbol.iterator]() {
    for (let i = 0; i < this.input.length; i++) yield { segment: this.input[i], index: i, input: this.input };
  }
}

class Segmenter {
  #args;
  #real;
  constructor(locales, options) {
    this.#args = [locales, options];
    this.granularity = options?.granularity ?? 'grapheme';
  }
  #icu() {
    return (this.#real ??= new globalThis.Intl.Segmenter(...this.#args));
  }
  segment(input) {
    const s = String(input);
    return this.granularity === 'grapheme' && oneUnitClusters(s) ? new OneUnitSegments(s) : this.#icu().segment(s);
  }
  resolvedOptions() {
    return this.#icu().resolvedOptions();
  }
  static supportedLocalesOf(...args) {
    return globalThis.Intl.Segmenter.supportedLocalesOf(...args);
  }
}

module.exports = { Intl: Object.create(globalThis.Intl, { Segmenter: { value: Segmenter } }) };
