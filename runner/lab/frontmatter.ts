import { isMap } from 'yaml';
import { LabFormatError } from './errors.js';
import { LAB_FORMAT_VERSION, RESOURCE_KINDS, type Lab, type ResourceKind } from './types.js';
import { entries, parseYaml } from './yaml-lines.js';
import { isRequirement, REQUIREMENT_NAMES } from './requirement-names.js';

/** The part of a lab its front matter gives. */
export type FrontMatter = Pick<Lab, 'format' | 'id' | 'title' | 'summary' | 'durationMinutes' | 'order' | 'images' | 'resources' | 'requires' | 'podman'>;

const FIELDS = ['format', 'id', 'title', 'summary', 'duration', 'order', 'images', 'resources', 'requires', 'podman'] as const;
const REQUIRED = ['format', 'id', 'title', 'summary', 'duration'] as const;
const ID = /^[a-z0-9][a-z0-9-]*$/;
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** Image references: repository (with / and a registry host:port) and an optional :tag. */
const IMAGE_REF = /^[a-z0-9][a-z0-9._/-]*(:[0-9]+\/[a-z0-9._/-]+)?(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/;

/**
 * Splits `---` front matter from the Markdown body; bodyLine is the file line the body starts on. `kind` names
 * the file and its fields in the message for a file that has none (labs by default; slide decks too).
 */
export function splitFrontMatter(
  source: string,
  file: string,
  kind = { noun: 'a lab file', fields: 'format, id, title, summary, duration (and images, resources)' },
): { yaml: string; body: string; bodyLine: number } {
  const lines = source.split('\n');
  if (lines[0]?.trim() !== '---')
    throw new LabFormatError({ file, line: 1 }, `${kind.noun} starts with front matter between two \`---\` lines`, `Begin the file with ---, then ${kind.fields}, then ---.`);
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  if (end < 0) throw new LabFormatError({ file, line: 1 }, 'the front matter is never closed', 'Add a line `---` after the last field.');
  return { yaml: lines.slice(1, end).join('\n'), body: lines.slice(end + 1).join('\n'), bodyLine: end + 2 };
}

function parseDurationMinutes(v: unknown): number | undefined {
  if (typeof v === 'number' && v > 0) return v;
  const m = typeof v === 'string' ? /^(\d+)\s*(m|min|minutes)?$/.exec(v.trim()) : null;
  return m ? Number(m[1]) : undefined;
}

function names(v: unknown, at: { file: string; line: number }, what: string, pattern = NAME): string[] {
  const list = v === null ? [] : Array.isArray(v) ? v : [v];
  for (const n of list)
    if (typeof n !== 'string' || !pattern.test(n))
      throw new LabFormatError(
        at,
        `${what}: ${JSON.stringify(n)} is not a valid name`,
        pattern === NAME ? 'Use letters, digits, and . _ - (e.g. ns-web).' : 'Write an image reference such as im-site:v1 or localhost:5000/app:v2.',
      );
  return list as string[];
}

export function parseFrontMatter(yaml: string, file: string): FrontMatter {
  const block = parseYaml(yaml, file, 2);
  if (!isMap(block.root)) throw new LabFormatError({ file, line: 2 }, 'the front matter must be a YAML mapping of fields', `Write fields such as: id: my-lab`);
  const seen = new Map<string, { value: unknown; line: number }>();
  for (const e of entries(block.root, block)) {
    if (!(FIELDS as readonly string[]).includes(e.key)) throw new LabFormatError({ file, line: e.line }, `unknown front matter field "${e.key}"`, `Known fields: ${FIELDS.join(', ')}.`);
    seen.set(e.key, { value: e.value, line: e.line });
  }
  for (const r of REQUIRED) if (!seen.has(r)) throw new LabFormatError({ file, line: 1 }, `the front matter has no "${r}"`, `Add a line \`${r}: …\` between the --- lines.`);
  const at = (k: string) => ({ file, line: seen.get(k)?.line ?? 1 });
  const get = (k: string) => seen.get(k)?.value;

  const format = get('format');
  if (format !== LAB_FORMAT_VERSION)
    throw new LabFormatError(
      at('format'),
      `format ${String(format)} is not one this lean-labs reads`,
      `Write \`format: ${LAB_FORMAT_VERSION}\` (or upgrade lean-labs if the lab was written for a newer one).`,
    );
  const id = get('id');
  if (typeof id !== 'string' || !ID.test(id)) throw new LabFormatError(at('id'), `id ${JSON.stringify(id)} is not a valid lab id`, 'Use lowercase letters, digits and dashes, e.g. `id: namespaces`.');
  for (const k of ['title', 'summary'] as const) {
    const v = get(k);
    if (typeof v !== 'string' || v.trim() === '') throw new LabFormatError(at(k), `${k} must be a non-empty line of text`, `Write e.g. \`${k}: What a container can see\`.`);
  }
  const durationMinutes = parseDurationMinutes(get('duration'));
  if (durationMinutes === undefined) throw new LabFormatError(at('duration'), 'duration must be a number of minutes', 'Write e.g. `duration: 20m`.');
  const order = get('order');
  if (order !== undefined && !(Number.isInteger(order) && (order as number) > 0))
    throw new LabFormatError(at('order'), 'order must be a whole number from 1', 'Write e.g. `order: 3` to list the lab third; labs without one come last.');
  const images = names(get('images') ?? [], at('images'), 'images');
  const requires = names(get('requires') ?? [], at('requires'), 'requires');
  for (const r of requires) if (!isRequirement(r)) throw new LabFormatError(at('requires'), `unknown requirement "${r}"`, `Known requirements: ${REQUIREMENT_NAMES.join(', ')}.`);
  const podman = get('podman');
  if (podman !== undefined && (typeof podman !== 'string' || podman.trim() === ''))
    throw new LabFormatError(
      at('podman'),
      'podman must be a sentence: why the lab cannot run on Podman',
      'Write e.g. `podman: its builds need BuildKit, which the docker CLI cannot run against Podman`, or leave the line out.',
    );

  const resources: Record<ResourceKind, string[]> = { containers: [], volumes: [], networks: [], images: [], compose: [] };
  const rawRes = get('resources');
  if (rawRes !== undefined && rawRes !== null) {
    if (typeof rawRes !== 'object' || Array.isArray(rawRes)) throw new LabFormatError(at('resources'), 'resources must be a mapping', `Write e.g. resources: { containers: [ns-a, ns-b] }.`);
    for (const [k, v] of Object.entries(rawRes as Record<string, unknown>)) {
      if (!(RESOURCE_KINDS as readonly string[]).includes(k)) throw new LabFormatError(at('resources'), `unknown resource kind "${k}"`, `Known kinds: ${RESOURCE_KINDS.join(', ')}.`);
      resources[k as ResourceKind] = names(v, at('resources'), `resources.${k}`, k === 'images' ? IMAGE_REF : NAME);
    }
  }
  return {
    format,
    id,
    title: (get('title') as string).trim(),
    summary: (get('summary') as string).trim(),
    durationMinutes,
    order: order as number | undefined,
    images,
    resources,
    requires: requires.filter(isRequirement),
    ...(typeof podman === 'string' ? { podman: podman.trim() } : {}),
  };
}
