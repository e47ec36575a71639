import { UserError } from '../errors.js';
import { plural } from '../text/plural.js';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { LabFormatError } from './errors.js';
import { labCacheKey, readCachedLab, writeCachedLab } from './cache.js';
import { stateDir } from '../paths.js';
import type { Lab } from './types.js';

/**
 * The labs of a folder, read through the parse cache. The parser (lab/parse.ts, and markdown-it with it) is given
 * by the caller rather than imported: load.ts gives it to every command, and the runner, whose first screen has no
 * time for loading markdown-it, loads it only when a lab is not in the cache (`loadSomeLabsOnDemand`).
 */
export type ParseLab = (source: string, file: string, dir: string) => Lab;

export const LAB_FILE = 'lab.md';

export class UnknownLabError extends UserError {
  constructor(id: string, known: readonly string[], dir: string) {
    super(`There is no lab "${id}" in ${dir}.\n  Labs here: ${known.join(', ') || '(none)'}. Run \`npx lean-labs list\` to see them.`);
  }
}

/** Every lab of a folder that parsed, and every authoring mistake found in the others (one per broken lab). */
export interface LabSet {
  readonly labs: Lab[];
  readonly problems: LabFormatError[];
}

/** Several labs failed to parse: each is reported at its own file:line. */
export class LabsFormatError extends UserError {
  readonly problems: readonly LabFormatError[];
  constructor(problems: readonly LabFormatError[]) {
    super(problems.length === 1 ? problems[0]!.message : `${problems.length} labs have mistakes:\n${problems.map((p) => p.message).join('\n')}`, 2);
    this.problems = problems;
  }
}

/**
 * Reads every `<dir>/<id>/lab.md`, keeping going past a broken lab so that every mistake is reported at once and
 * the well-formed labs stay usable. A folder whose name differs from the lab's id is an authoring error.
 * Parsed labs are cached in the state folder by content (LEAN_LABS_NO_CACHE=1 turns that off).
 */
export function readLabSet(dir: string, parse: ParseLab, cacheDir: string | undefined = process.env.LEAN_LABS_NO_CACHE ? undefined : join(stateDir(), 'cache', 'labs')): LabSet {
  if (!existsSync(dir)) throw new UserError(`The labs folder ${dir} does not exist. Pass --labs with a folder that holds <lab>/lab.md files.`);
  if (!statSync(dir).isDirectory()) throw new UserError(`${dir} is a file, not a folder of labs. Pass --labs with a folder that holds <lab>/lab.md files (e.g. --labs ${dirname(dir)}).`);
  const labs: Lab[] = [];
  const problems: LabFormatError[] = [];
  for (const name of readdirSync(dir).sort()) {
    const labDir = join(dir, name);
    const file = join(labDir, LAB_FILE);
    if (!isDirectory(labDir) || !existsSync(file)) continue;
    try {
      labs.push(readOne(name, labDir, file, cacheDir, parse));
    } catch (err) {
      if (!(err instanceof LabFormatError)) throw err;
      problems.push(err);
    }
  }
  const shared = sharedNames(labs);
  problems.push(...shared.problems);
  return {
    labs: labs.filter((l) => !shared.broken.has(l.id)).sort((a, b) => (a.order ?? Infinity) - (b.order ?? Infinity) || a.id.localeCompare(b.id)),
    problems,
  };
}

function readOne(name: string, labDir: string, file: string, cacheDir: string | undefined, parse: ParseLab): Lab {
  const shown = relative(process.cwd(), file) || file;
  if (!statSync(file).isFile()) throw new LabFormatError({ file: shown, line: 1 }, `${LAB_FILE} is not a file`, `Each lab is one Markdown file: ${join(name, LAB_FILE)}.`);
  const bytes = readFileSync(file);
  const fileName = shown.startsWith('..') ? file : shown;
  const key = labCacheKey(fileName, labDir, bytes);
  let lab = readCachedLab(cacheDir, key);
  if (!lab) {
    lab = parse(bytes.toString('utf8'), fileName, labDir);
    writeCachedLab(cacheDir, key, lab);
  }
  if (lab.id !== name) throw new LabFormatError({ file: lab.file, line: 2 }, `the lab id "${lab.id}" differs from its folder "${name}"`, `Rename the folder to ${lab.id}, or write \`id: ${name}\`.`);
  return lab;
}

/** Every lab of the folder; any authoring mistake in any of them is an error listing all of them. */
export function loadLabs(dir: string, parse: ParseLab, cacheDir?: string): Lab[] {
  const set = readLabSet(dir, parse, cacheDir);
  if (set.problems.length) throw new LabsFormatError(set.problems);
  return set.labs;
}

/** Two labs that declare the same resource name could not be verified side by side, and reset would be ambiguous. */
function sharedNames(labs: readonly Lab[]): { problems: LabFormatError[]; broken: Set<string> } {
  const owner = new Map<string, string>();
  const problems: LabFormatError[] = [];
  const broken = new Set<string>();
  for (const lab of labs)
    for (const [kind, names] of Object.entries(lab.resources))
      for (const n of names as string[]) {
        const key = `${kind}:${n}`;
        const other = owner.get(key);
        if (other) {
          problems.push(
            new LabFormatError(
              { file: lab.file, line: 2 },
              `${kind} name "${n}" is also declared by lab ${other}`,
              'Prefix resource names with something of the lab, e.g. ns-a for the namespaces lab.',
            ),
          );
          broken.add(lab.id);
        } else owner.set(key, lab.id);
      }
  return { problems, broken };
}

export function findLab(labs: readonly Lab[], id: string, dir: string): Lab {
  const lab = labs.find((l) => l.id === id);
  if (!lab)
    throw new UnknownLabError(
      id,
      labs.map((l) => l.id),
      dir,
    );
  return lab;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // a dangling link, or a file that vanished while we looked
  }
}

/**
 * The labs to work on, and the mistakes of the ones left out: a broken lab never stops the others, unless it is
 * one of those named in `ids`. A folder with no labs at all is a mistake to report, not a run that proves nothing.
 */
export function loadSomeLabs(dir: string, parse: ParseLab, ids: readonly string[] = []): LabSet {
  const set = readLabSet(dir, parse);
  const named = set.problems.filter((p) => ids.some((id) => labOf(p.file) === id));
  if (named.length) throw new LabsFormatError(named);
  if (set.labs.length === 0) {
    if (set.problems.length) throw new LabsFormatError(set.problems);
    throw new UserError(`No labs in ${dir}: it holds no <lab>/lab.md files. Pass --labs with a folder of labs.`);
  }
  return set;
}

/**
 * Runs `use` (a read of labs) with a parser loaded only if a lab is not in the parse cache: for a caller that can
 * wait, and would rather not load markdown-it for labs it has parsed before.
 */
export async function withParserOnDemand<T>(use: (parse: ParseLab) => T): Promise<T> {
  const notCached = new Error('not in the cache');
  try {
    return use(() => {
      throw notCached;
    });
  } catch (err) {
    if (err !== notCached) throw err;
  }
  const { parseLab } = await import('./parse.js');
  return use(parseLab);
}

/** loadSomeLabs, parsing only what the cache does not hold. */
export const loadSomeLabsOnDemand = (dir: string, ids: readonly string[] = []): Promise<LabSet> => withParserOnDemand((parse) => loadSomeLabs(dir, parse, ids));

/** The lab folder a lab file's path names (…/<id>/lab.md). */
function labOf(file: string): string {
  return basename(dirname(file));
}

/** The mistakes of labs that were left out, for a command to print after its own output. */
export function leftOutText(problems: readonly LabFormatError[]): string {
  return `Left out ${plural(problems.length, 'lab')} with mistakes:\n${problems.map((p) => p.message.replace(/^/gm, '  ')).join('\n')}\n`;
}
