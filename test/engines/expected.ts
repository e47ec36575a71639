import type { EngineName } from './engines.js';

/**
 * Labs an engine cannot run, each with what the lab must say before it starts (a pattern of its reason). Anything
 * not listed must pass on that engine: a lab that refuses where it could work fails the matrix.
 */
export const CANNOT_RUN: Readonly<Partial<Record<EngineName, Readonly<Record<string, RegExp>>>>> = {};
