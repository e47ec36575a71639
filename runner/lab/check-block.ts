import { parseRestartPolicy } from '../checks/values.js';
import { isMap, isSeq, type Node } from 'yaml';
import { CHECK_KINDS } from '../checks/registry.js';
import type { FieldSpec } from '../checks/types.js';
import { compilePattern, parseDuration, parseSize } from '../checks/values.js';
import { LabFormatError } from './errors.js';
import { isRequirement, REQUIREMENT_NAMES, type Requirement } from './requirement-names.js';
import type { CheckSpec, SourcePos } from './types.js';
import { entries, parseYaml } from './yaml-lines.js';

/** After a step, a check is re-judged for this long before it counts as failed (engine state settles). */
export const DEFAULT_WITHIN_MS = 2000;
const COMMON = ['kind', 'title', 'message', 'within', 'guard', 'requires'];

function kindList(): string {
  return [...CHECK_KINDS.keys()].join(', ');
}

/** Converts one field value to its typed form, or says what is wrong with it. */
function convert(spec: FieldSpec, value: unknown): { value: unknown } | { error: string; fix: string } {
  const t = spec.type;
  if (typeof t === 'object')
    return typeof value === 'string' && t.oneOf.includes(value) ? { value } : { error: `${JSON.stringify(value)} is not one of ${t.oneOf.join(', ')}`, fix: `Write one of: ${t.oneOf.join(', ')}.` };
  switch (t) {
    case 'string':
      // YAML reads `run: true` or `cpusetCpus: 0` as non-text scalars; the author meant the text.
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? { value: String(value) }
        : { error: 'expected text', fix: 'Write a plain value, quoted if it has special characters.' };
    case 'number':
      return typeof value === 'number' ? { value } : { error: `${JSON.stringify(value)} is not a number`, fix: 'Write a number, e.g. 0.' };
    case 'boolean':
      return typeof value === 'boolean' ? { value } : { error: `${JSON.stringify(value)} is not true or false`, fix: 'Write true or false.' };
    case 'strings': {
      const list = Array.isArray(value) ? value : [value];
      return list.every((v) => typeof v === 'string') ? { value: list } : { error: 'expected a list of names', fix: 'Write e.g. [pid, net] or a single name.' };
    }
    case 'size': {
      const n = value === -1 ? -1 : parseSize(value);
      return n === undefined ? { error: `${JSON.stringify(value)} is not a size`, fix: 'Write e.g. 64m, 1g or a byte count.' } : { value: n };
    }
    case 'duration': {
      const n = parseDuration(value);
      return n === undefined ? { error: `${JSON.stringify(value)} is not a duration`, fix: 'Write e.g. 500ms, 5s or 1m.' } : { value: n };
    }
    case 'restart': {
      const policy = parseRestartPolicy(value);
      return typeof policy === 'string' ? { error: policy, fix: 'Write e.g. on-failure:3, always, unless-stopped or no (or { name: on-failure, maxRetries: 3 }).' } : { value: policy };
    }
    case 'pattern': {
      if (typeof value !== 'string' && typeof value !== 'number') return { error: 'expected a pattern', fix: 'Write text to find, or /regular expression/flags.' };
      const compiled = compilePattern(String(value));
      return typeof compiled === 'string' ? { error: compiled, fix: 'Fix the regular expression.' } : { value: String(value) };
    }
  }
}

function parseOne(node: Node, block: ReturnType<typeof parseYaml>, file: string): CheckSpec {
  const pos: SourcePos = { file, line: block.line(node) };
  if (!isMap(node)) throw new LabFormatError(pos, 'each check is a mapping that starts with `kind:`', 'Write e.g. `- kind: container` then its fields, indented.');
  const all = entries(node, block);
  const kindEntry = all.find((e) => e.key === 'kind');
  if (!kindEntry) throw new LabFormatError(pos, 'this check has no `kind:`', `Add \`kind:\` with one of: ${kindList()}.`);
  const kind = CHECK_KINDS.get(String(kindEntry.value));
  if (!kind) throw new LabFormatError({ file, line: kindEntry.line }, `unknown check kind "${String(kindEntry.value)}"`, `Use one of: ${kindList()}.`);
  const fields: Record<string, unknown> = {};
  let message: string | undefined;
  let title: string | undefined;
  let withinMs = DEFAULT_WITHIN_MS;
  let guard = false;
  let requires: Requirement[] | undefined;
  for (const e of all) {
    const at = { file, line: e.line };
    if (e.key === 'kind') continue;
    if (e.key === 'message') {
      if (typeof e.value !== 'string') throw new LabFormatError(at, 'message must be text', 'Write a sentence for the learner.');
      message = e.value;
      continue;
    }
    if (e.key === 'title') {
      if (typeof e.value !== 'string' || !e.value.trim()) throw new LabFormatError(at, 'title must be text', 'Write what the check proves, e.g. `title: the proxy sees the worker`.');
      title = e.value.trim();
      continue;
    }
    if (e.key === 'guard') {
      if (typeof e.value !== 'boolean') throw new LabFormatError(at, 'guard must be true or false', 'Write `guard: true`.');
      guard = e.value;
      continue;
    }
    if (e.key === 'requires') {
      const list = [e.value].flat();
      const bad = list.find((r) => typeof r !== 'string' || !isRequirement(r));
      if (bad !== undefined || !list.length)
        throw new LabFormatError(at, `requires: ${JSON.stringify(bad ?? e.value)} is not a requirement`, `Write e.g. \`requires: [swap-limit]\`; known: ${REQUIREMENT_NAMES.join(', ')}.`);
      requires = list as Requirement[];
      continue;
    }
    if (e.key === 'within') {
      const ms = parseDuration(e.value);
      if (ms === undefined) throw new LabFormatError(at, `within: ${JSON.stringify(e.value)} is not a duration`, 'Write e.g. 10s.');
      withinMs = ms;
      continue;
    }
    const spec = kind.fields[e.key];
    if (!spec) throw new LabFormatError(at, `a ${kind.kind} check has no field "${e.key}"`, `Its fields: ${[...Object.keys(kind.fields), ...COMMON.slice(1)].join(', ')}.`);
    const converted = convert(spec, e.value);
    if ('error' in converted) throw new LabFormatError(at, `${e.key}: ${converted.error}`, converted.fix);
    for (const item of spec.valid ? [converted.value].flat() : []) {
      const problem = spec.valid!(String(item));
      if (problem) throw new LabFormatError(at, `${e.key}: ${problem.error}`, problem.fix);
    }
    fields[e.key] = converted.value;
  }
  for (const [name, spec] of Object.entries(kind.fields))
    if (spec.required && !(name in fields)) throw new LabFormatError(pos, `this ${kind.kind} check needs "${name}" (${spec.doc})`, `Add \`${name}: …\`.`);
  if (kind.targets && !kind.targets.some((group) => group.every((k) => k in fields))) {
    const ways = kind.targets.map((g) => g.map((k) => `\`${k}:\``).join(' and ')).join(', or ');
    throw new LabFormatError(pos, `this ${kind.kind} check does not say what it looks at`, `Give ${ways}.`);
  }
  if (kind.oneOf && !kind.oneOf.some((k) => k in fields)) throw new LabFormatError(pos, `this ${kind.kind} check asserts nothing`, `Give at least one of: ${kind.oneOf.join(', ')}.`);
  return { kind: kind.kind, fields, message, title, withinMs, guard, ...(requires ? { requires } : {}), pos };
}

/** Parses the YAML list inside a ```check fence; firstLine is the file line of the fence's first content line. */
export function parseCheckBlock(text: string, file: string, firstLine: number): CheckSpec[] {
  const block = parseYaml(text, file, firstLine);
  if (block.root === null) throw new LabFormatError({ file, line: firstLine }, 'this check block is empty', 'Write a YAML list of checks, each starting with `- kind:`.');
  const items = isSeq(block.root) ? (block.root.items as Node[]) : [block.root];
  return items.map((n) => parseOne(n, block, file));
}
