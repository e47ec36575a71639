import { UserError } from '../errors.js';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { LabFormatError } from './errors.js';
import { parseLab } from './parse.js';
import { labCacheKey, readCachedLab, writeCachedLab } from './cache.js';
import { stateDir } from '../paths.js';
import type { Lab } from './types.js';

export const LAB_FILE = 'lab.md';

export class UnknownLabError extends UserError {
  constructor(id: string, known: readonly string[], dir: string) {
    super(`There is no lab "${id}" in ${dir}.\n  Labs here: ${known.join(', ') || '(none)'}. Run \`npx lean-labs list\` to see them.`);
  }
}

/**
 * Reads every `<dir>/<id>/lab.md`. A folder whose name differs from the lab's id is an authoring error.
 * Parsed labs are cached in the state folder by content (LEAN_LABS_NO_CACHE=1 turns that off).
 */
export function loadLabs(dir: string, cacheDir: string | undefined = process.env.LEAN_LABS_NO_CACHE ? undefined : join(stateDir(), 'cache', 'labs')): Lab[] {
  if (!existsSync(dir)) throw new UserError(`The labs folder ${dir} does not exist. Pass --labs with a folder that holds <lab>/lab.md files.`);
  if (!statSync(dir).isDirectory())
    throw new UserError(`${dir} is a file, not a folder of labs. Pass --labs with a folder that holds <lab>/lab.md files (e.g. --labs ${dirname(dir)}).`);
  const labs: Lab[] = [];
  for (const name of readdirSync(dir).sort()) {
    const labDir = join(dir, name);
    const file = join(labDir, LAB_FILE);
    if (!isDirectory(labDir) || !existsSync(file)) continue;
    const shown = relative(process.cwd(), file) || file;
    if (!statSync(file).isFile())
      throw new LabFormatError({ file: shown, line: 1 }, `${LAB_FILE} is not a file`, `Each lab is one Markdown file: ${join(name, LAB_FILE)}.`);
    const source = readFileSync(file, 'utf8');
    const fileName = shown.startsWith('..') ? file : shown;
    const key = labCacheKey(fileName, labDir, source);
    let lab = readCachedLab(cacheDir, key);
    if (!lab) {
      lab = parseLab(source, fileName, labDir);
      writeCachedLab(cacheDir, key, lab);
    }
    if (lab.id !== name)
      throw new LabFormatError({ file: lab.file, line: 2 }, `the lab id "${lab.id}" differs from its folder "${name}"`,
        `Rename the folder to ${lab.id}, or write \`id: ${name}\`.`);
    labs.push(lab);
  }
  checkNoSharedNames(labs);
  return labs.sort((a, b) => (a.order ?? Infinity) - (b.order ?? Infinity) || a.id.localeCompare(b.id));
}

/** Two labs that declare the same resource name could not be verified side by side, and reset would be ambiguous. */
function checkNoSharedNames(labs: readonly Lab[]): void {
  const owner = new Map<string, string>();
  for (const lab of labs)
    for (const [kind, names] of Object.entries(lab.resources))
      for (const n of names as string[]) {
        const key = `${kind}:${n}`;
        const other = owner.get(key);
        if (other)
          throw new LabFormatError({ file: lab.file, line: 2 }, `${kind} name "${n}" is also declared by lab ${other}`,
            'Prefix resource names with something of the lab, e.g. ns-a for the namespaces lab.');
        owner.set(key, lab.id);
      }
}

export function findLab(labs: readonly Lab[], id: string, dir: string): Lab {
  const lab = labs.find((l) => l.id === id);
  if (!lab) throw new UnknownLabError(id, labs.map((l) => l.id), dir);
  return lab;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // a dangling link, or a file that vanished while we looked
  }
}

/** The labs to work on: an empty folder is a mistake to report, not a run that proves nothing. */
export function loadSomeLabs(dir: string): Lab[] {
  const labs = loadLabs(dir);
  if (labs.length === 0)
    throw new UserError(`No labs in ${dir}: it holds no <lab>/lab.md files. Pass --labs with a folder of labs.`);
  return labs;
}
