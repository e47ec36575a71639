import { withFields } from '../describe.js';
import { combine, fact } from '../outcome.js';
import { type CheckKind, type CheckOutcome, FIXED } from '../types.js';
import { excerpt, matches } from '../values.js';

export interface FileFields {
  container: string;
  path: string;
  contains?: string;
  exists?: boolean;
}

export function judgeFile(f: FileFields, content: string | null, containerExists: boolean): CheckOutcome {
  if (!containerExists) return { pass: false, expected: `container ${f.container} exists`, found: `there is no container named ${f.container}` };
  const wantExists = f.exists ?? true;
  if (!wantExists) return combine([fact(content === null, `no file ${f.path} in ${f.container}`, `${f.path} exists`)]);
  if (content === null) return { pass: false, expected: `a file ${f.path} in ${f.container}`, found: 'there is no such file' };
  if (f.contains === undefined) return combine([fact(true, `a file ${f.path}`, 'it exists')]);
  return combine([fact(matches(f.contains, content), `${f.path} contains ${f.contains}`, `it holds: ${excerpt(content)}`)]);
}

export const file: CheckKind = {
  kind: 'file',
  doc: "A file in a container's filesystem (running or stopped) exists, or contains a pattern.",
  fields: {
    container: { type: 'string', required: true, doc: 'container name' },
    path: { type: 'string', required: true, doc: 'absolute path inside the container' },
    contains: { type: 'pattern', doc: 'pattern the file content matches' },
    exists: { type: 'boolean', doc: 'false: the file must not exist' },
  },
  describe: (f) => withFields(`${f.path} in ${f.container}`, f, ['path', 'container']),
  // A file a learner wrote or mounted; a file a process keeps rewriting is better read with logs or exec.
  settles: () => FIXED,
  evaluate: async (f, ctx) => {
    const fields = f as unknown as FileFields;
    const c = await ctx.docker.inspectContainer(fields.container);
    if (!c) return judgeFile(fields, null, false);
    return judgeFile(fields, await ctx.docker.readFile(fields.container, fields.path), true);
  },
};
