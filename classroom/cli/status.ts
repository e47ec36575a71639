/** `class status` and `class export`: what the class server knows, as a table or a file. */
import { writeFileAtomic } from '../../runner/atomic-file.js';
import type { CliContext } from '../../runner/commands/cli-context.js';
import { UserError } from '../../runner/errors.js';
import { classDir, dashboardUrl, dbFile, readConfig } from '../class-files.js';
import type { ClassStatus, StatusRow } from '../protocol.js';
import { duration } from '../web/overview.js';
import { instructorGet } from './instructor-api.js';

export function statusTable(s: ClassStatus, now: number): string {
  const head = ['learner', 'sandbox', 'node', 'state', 'lab', 'step', 'checks', 'on step', 'last activity'];
  const cell = (r: StatusRow): string[] => [
    r.learner || '-',
    r.sandbox,
    r.node || '-',
    r.state + ((r.state === 'ready' || r.state === 'claimed') && r.message ? ` (${r.message})` : '') + (r.restarts ? ` (${r.restarts} restart${r.restarts > 1 ? 's' : ''})` : ''),
    r.lab || '-',
    r.stepNumber ? `${r.stepNumber}/${r.steps} ${r.step}` : '-',
    r.total ? `${r.passed}/${r.total}` : '-',
    r.lab ? duration(r.onStepMs) : '-',
    r.lastActivity ? `${duration(now - r.lastActivity)} ago` : '-',
  ];
  const rows = [head, ...s.rows.map(cell)];
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  const why = s.rows.filter((r) => (r.state === 'failed' || r.state === 'restarting' || r.state === 'pending') && r.message).map((r) => `  ${r.sandbox}: ${r.message}`);
  const count = (st: string) => s.rows.filter((r) => r.state === st).length;
  return [
    `Class "${s.class}": ${s.joined} of ${s.learners} learners joined; sandboxes: ${count('claimed')} claimed, ${count('ready')} ready, ${count('pending') + count('restarting')} starting, ${count('failed')} failed.`,
    '',
    ...lines,
    ...(why.length ? ['', 'Why:', ...why] : []),
  ].join('\n');
}

export async function runClassStatus(ctx: CliContext, name: string): Promise<number> {
  const config = readConfig(ctx.stateDir, name);
  if (!config) throw new UserError(`There is no class named "${name}" on this machine. \`npx lean-labs class up --name ${name} --learners N\` starts one.`);
  if (config.endedAt) throw new UserError(`Class "${name}" ended (\`class down\`); \`npx lean-labs class export --name ${name}\` still gives its results.`);
  const status = (await (await instructorGet(ctx.stateDir, config, '/api/instructor/status')).json()) as ClassStatus;
  ctx.out(`${statusTable(status, Date.now())}\n\nLive, in a browser: ${dashboardUrl(config)}\n`);
  return 0;
}

export async function runClassExport(ctx: CliContext, name: string, opts: { out?: string; format?: string }): Promise<number> {
  const format = opts.format ?? (opts.out?.endsWith('.jsonl') ? 'jsonl' : 'csv');
  if (format !== 'csv' && format !== 'jsonl') throw new UserError(`--format is csv or jsonl, not "${format}".`);
  const config = readConfig(ctx.stateDir, name);
  if (!config) throw new UserError(`There is no class named "${name}" on this machine.`);
  let text: string;
  if (config.endedAt) {
    // The server is gone with the class; the records are read straight from its database.
    const { ClassStore } = await import('../server/store.js');
    const { exportRows } = await import('../server/report.js');
    const store = await ClassStore.open(dbFile(classDir(ctx.stateDir, name)));
    text = exportRows(store, format);
  } else text = await (await instructorGet(ctx.stateDir, config, `/api/instructor/export?format=${format}`)).text();
  if (!opts.out) {
    ctx.out(text);
    return 0;
  }
  writeFileAtomic(opts.out, text);
  const rows = text.trim() ? text.trim().split('\n').length - (format === 'csv' ? 1 : 0) : 0;
  ctx.out(`Wrote ${rows} row${rows === 1 ? '' : 's'} (one per learner, lab and step) to ${opts.out}.\n`);
  return 0;
}
