/** The labs of a folder, parsed (or read from the parse cache): lab-set.ts with the parser given. */
import { loadLabs as loadLabsWith, loadSomeLabs as loadSomeLabsWith, readLabSet as readLabSetWith, type LabSet } from './lab-set.js';
import { parseLab } from './parse.js';
import type { Lab } from './types.js';

export { findLab, LAB_FILE, LabsFormatError, leftOutText, UnknownLabError, type LabSet } from './lab-set.js';

/** Every lab of a folder that parsed, and every mistake of the others (see lab-set.ts). */
export const readLabSet = (dir: string, cacheDir?: string): LabSet => readLabSetWith(dir, parseLab, cacheDir);
/** Every lab of the folder; any mistake in any of them is an error listing all of them. */
export const loadLabs = (dir: string, cacheDir?: string): Lab[] => loadLabsWith(dir, parseLab, cacheDir);
/** The labs to work on, and the mistakes of the ones left out (see lab-set.ts). */
export const loadSomeLabs = (dir: string, ids: readonly string[] = []): LabSet => loadSomeLabsWith(dir, parseLab, ids);
