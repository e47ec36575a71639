import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const SCRIPT = join(ROOT, 'labs/compose-ambassadors/files/ambassadors.mjs');

/** The way the lab runs it: real `docker compose config` in, the script as a process, real Compose reading the result. */
function rewrite(yaml: string, targets: string[], files: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'll-amb-'));
  writeFileSync(join(dir, 'compose.yaml'), yaml);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const original = execFileSync('docker', ['compose', 'config', '--format', 'json'], { cwd: dir, encoding: 'utf8' });
  const out = execFileSync(process.execPath, [SCRIPT, ...targets], { cwd: dir, input: original, encoding: 'utf8' });
  writeFileSync(join(dir, 'compose.ambassadors.json'), out);
  const reread = execFileSync('docker', ['compose', '-f', 'compose.ambassadors.json', 'config', '--format', 'json'], { cwd: dir, encoding: 'utf8' });
  return { before: JSON.parse(original).services, after: JSON.parse(reread).services };
}

describe('ambassadors.mjs against real Compose files', () => {
  it('the lab stack: Compose reads the result, the worker links to the proxy, the rest is unchanged', () => {
    const yaml = execFileSync('cat', [join(ROOT, 'labs/compose-ambassadors/files/compose.yaml')], { encoding: 'utf8' });
    const { before, after } = rewrite(yaml, ['hasher:80']);
    expect(after.hasherproxy.command).toEqual(['80', 'hasher', '80']);
    expect(after.worker.links).toEqual(['hasherproxy:hasher']);
    for (const name of ['rng', 'hasher', 'redis', 'webui']) expect(after[name]).toEqual(before[name]);
  });

  it('a built service with published ports and a named network, depended on by two services in short and long form', () => {
    const yaml = [
      'name: shop',
      'services:',
      '  db:',
      '    build: ./db',
      '    ports: ["5432:5432"]',
      '    networks: [back]',
      '  api:',
      '    image: api',
      '    networks: [back]',
      '    depends_on: [db]',
      '  jobs:',
      '    image: jobs',
      '    networks: [back]',
      '    depends_on:',
      '      db: { condition: service_started }',
      '  web:',
      '    image: web',
      '    ports: ["8080:80"]',
      '    depends_on: [api]',
      'networks:',
      '  back: {}',
      '',
    ].join('\n');
    const { before, after } = rewrite(yaml, ['db'], { 'db/Dockerfile': 'FROM scratch\n' });
    expect(after.dbproxy.command).toEqual(['5432', 'db', '5432']);
    expect(Object.keys(after.dbproxy.networks)).toEqual(['back']);
    expect(after.api.links).toEqual(['dbproxy:db']);
    expect(after.jobs.links).toEqual(['dbproxy:db']);
    expect(after.db).toEqual(before.db);
    expect(after.web).toEqual(before.web);
  });
});
