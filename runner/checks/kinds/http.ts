import { combine, fact, type Fact } from '../outcome.js';
import { vantage } from './vantage.js';
import type { CheckKind, CheckOutcome } from '../types.js';
import { excerpt, matches } from '../values.js';
import type { ExecResult } from '../../docker/port.js';

export interface HttpFields {
  url: string;
  from?: string;
  network?: string;
  status?: number;
  body?: string;
}

/** busybox wget -S prints the status line on stderr, also for errors. */
export function statusOf(stderr: string): number | undefined {
  const all = [...stderr.matchAll(/HTTP\/[\d.]+ (\d{3})/g)];
  const last = all.at(-1);
  return last ? Number(last[1]) : undefined;
}

export function judgeHttp(f: HttpFields, r: ExecResult | string): CheckOutcome {
  const where = f.from ? `from ${f.from}` : `on network ${f.network}`;
  if (typeof r === 'string') return { pass: false, expected: `GET ${f.url} ${where} answers`, found: r };
  const status = statusOf(r.stderr);
  const facts: Fact[] = [];
  const want = f.status ?? 200;
  facts.push(fact(status === want, `GET ${f.url} ${where} answers ${want}`, status === undefined ? `no HTTP answer (${excerpt(r.stderr)})` : `it answered ${status}`));
  if (f.body !== undefined) facts.push(fact(matches(f.body, r.stdout), `the body matches ${f.body}`, `the body was: ${excerpt(r.stdout)}`));
  return combine(facts);
}

export const http: CheckKind = {
  kind: 'http',
  doc: "An HTTP GET made from inside a container's network namespace (from) or on a network answers a status and body.",
  fields: {
    url: { type: 'string', required: true, doc: 'URL, e.g. http://localhost/ or http://web/' },
    from: { type: 'string', doc: 'container whose network namespace makes the request' },
    network: { type: 'string', doc: 'network the request is made on' },
    status: { type: 'number', doc: 'expected HTTP status (default 200)' },
    body: { type: 'pattern', doc: 'pattern the body matches' },
  },
  oneOf: ['from', 'network'],
  describe: (f) => `GET ${f.url}`,
  settles: (f) => ({ containers: f.from ? [String(f.from)] : [], repeat: false }),
  evaluate: async (f, ctx) => {
    const fields = f as unknown as HttpFields;
    const at = await vantage(fields, ctx);
    if ('problem' in at) return judgeHttp(fields, at.problem);
    const networkMode = at.networkMode;
    const r = await ctx.docker.runHelper({
      image: ctx.helperImage,
      // No -T: busybox 1.35's static wget crashes with it; the helper's own timeout bounds the request.
      cmd: ['wget', '-S', '-q', '-O', '-', fields.url],
      labels: ctx.labels,
      networkMode,
      timeoutMs: 15_000,
    });
    return judgeHttp(fields, r);
  },
};
