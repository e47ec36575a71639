#!/usr/bin/env node
// Puts an ambassador (lean-labs/hamba, a TCP relay with statistics) in front of services of a Compose stack,
// without touching the services themselves.
//
//   docker compose config --format json | node ambassadors.mjs hasher:80 [rng:80 ...] > compose.ambassadors.json
//
// Reads the stack as `docker compose config` prints it (every field spelled out), and for each `service:port`:
//   - adds a service `<service>proxy` that relays `port` to the service, on the same networks;
//   - every service that depends on the service now reaches it through the proxy: a link `<service>proxy:<service>`
//     makes the name `<service>` mean the proxy for that client only, and the client depends on the proxy too.
// Every other service is copied as it was, so Compose leaves its containers alone. Prints the new stack as JSON
// (JSON is YAML, so `docker compose -f` reads it).

import { pathToFileURL } from 'node:url';

export const AMBASSADOR_IMAGE = 'lean-labs/hamba';
export const STATS_PORT = '8404';

/** Parses `service[:port]`; without a port, the service's single exposed or published port. */
export function parseTarget(arg, services) {
  const [name, port] = arg.split(':');
  const service = services[name];
  if (!service) throw new Error(`no service named "${name}" in the stack (it has: ${Object.keys(services).join(', ')})`);
  if (port !== undefined) {
    if (!/^\d+$/.test(port)) throw new Error(`"${arg}": the port must be a number, as in ${name}:80`);
    return { name, port };
  }
  const ports = [...(service.expose ?? []).map(String), ...(service.ports ?? []).map((p) => String(p.target))];
  const unique = [...new Set(ports)];
  if (unique.length !== 1) throw new Error(`say which port of "${name}" to relay, as in ${name}:80`);
  return { name, port: unique[0] };
}

/** Returns a new stack with an ambassador in front of each target; the input is not changed. */
export function insertAmbassadors(stack, targets) {
  const out = structuredClone(stack);
  for (const { name, port } of targets) {
    const proxy = `${name}proxy`;
    if (out.services[proxy]) throw new Error(`the stack already has a service named "${proxy}"`);
    out.services[proxy] = {
      image: AMBASSADOR_IMAGE,
      pull_policy: 'never',
      command: [port, name, port],
      environment: { ADMIN: STATS_PORT },
      depends_on: { [name]: { condition: 'service_started', required: true } },
      networks: structuredClone(stack.services[name].networks ?? { default: null }),
    };
    for (const [clientName, client] of Object.entries(out.services)) {
      if (clientName === proxy || !client.depends_on || !(name in client.depends_on)) continue;
      client.links = [...(client.links ?? []), `${proxy}:${name}`];
      client.depends_on[proxy] = { condition: 'service_started', required: true };
    }
  }
  return out;
}

async function main(args) {
  if (args.length === 0 || args.includes('--help')) {
    process.stderr.write('usage: docker compose config --format json | node ambassadors.mjs <service>[:<port>] ...\n');
    return args.length === 0 ? 2 : 0;
  }
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  let stack;
  try {
    stack = JSON.parse(text);
  } catch {
    throw new Error('the input is not JSON: pipe in `docker compose config --format json`');
  }
  if (!stack || typeof stack.services !== 'object') throw new Error('the input has no services: pipe in `docker compose config --format json`');
  const targets = args.map((a) => parseTarget(a, stack.services));
  process.stdout.write(JSON.stringify(insertAmbassadors(stack, targets), null, 2) + '\n');
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`ambassadors.mjs: ${err.message}\n`);
      process.exit(1);
    },
  );
}
