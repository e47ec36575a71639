import { combine, fact } from '../outcome.js';
import { type CheckKind, type CheckOutcome, FIXED } from '../types.js';
import { parseSize } from '../values.js';
import { CGROUP_SETTINGS, cgroupReading, expectedReadings, type CgroupSetting, type CgroupVersion } from '../../host/cgroup.js';

export interface CgroupFields {
  container: string;
  setting: CgroupSetting;
  equals: string | number;
}

function wanted(f: CgroupFields, version: CgroupVersion): string[] {
  if (f.setting.startsWith('memory') && f.equals !== 'max') return [String(parseSize(f.equals) ?? f.equals)];
  return expectedReadings(version, f.setting, f.equals);
}

export function judgeCgroup(f: CgroupFields, version: CgroupVersion, read: string | { error: string }): CheckOutcome {
  const want = wanted(f, version);
  const where = `${f.setting} seen inside ${f.container} (cgroup v${version})`;
  const expected = `${where} is ${want.join(' or ')}`;
  if (typeof read !== 'string') return { pass: false, expected, found: read.error };
  return combine([fact(want.includes(read), expected, `it is ${read}`)]);
}

export const cgroup: CheckKind = {
  kind: 'cgroup',
  doc: 'A cgroup setting read from inside a running container (v1 or v2 file, chosen for the host) has a value.',
  fields: {
    container: { type: 'string', required: true, doc: 'container name' },
    setting: { type: { oneOf: CGROUP_SETTINGS }, required: true, doc: 'which setting' },
    equals: { type: 'string', required: true, doc: 'value as given to docker run (64m, 0.5, 512, 0-1, max)' },
  },
  describe: (f) => `${f.setting} inside ${f.container}`,
  // Limits are set when the container is made (or by docker update); they do not drift.
  settles: () => FIXED,
  evaluate: async (f, ctx) => {
    const fields = f as unknown as CgroupFields;
    const { cgroupVersion } = await ctx.docker.info();
    const reading = cgroupReading(cgroupVersion, fields.setting);
    const c = await ctx.docker.inspectContainer(fields.container);
    if (!c?.state.running) return judgeCgroup(fields, cgroupVersion, { error: c ? `${fields.container} is not running` : `there is no container named ${fields.container}` });
    const r = await ctx.docker.exec(fields.container, ['cat', ...reading.files]);
    if (r.exitCode !== 0) return judgeCgroup(fields, cgroupVersion, { error: `cannot read ${reading.files.join(', ')}: ${r.stderr.trim()}` });
    return judgeCgroup(fields, cgroupVersion, reading.parse(r.stdout.trim().split('\n')));
  },
};
