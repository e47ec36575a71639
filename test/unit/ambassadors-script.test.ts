import { describe, expect, it } from 'vitest';
// The compose-ambassadors lab's own script: learners run it, so it is plain JavaScript without dependencies.
import { insertAmbassadors, parseTarget } from '../../labs/compose-ambassadors/files/ambassadors.mjs';

type Stack = { name: string; services: Record<string, Record<string, unknown>>; networks?: Record<string, unknown> };
const started = { condition: 'service_started', required: true };
const net = { default: null };

/** Stacks as `docker compose config --format json` spells them (depends_on as a map, ports as objects). */
const coins: Stack = {
  name: 'coins',
  services: {
    rng: { image: 'lean-labs/rng', networks: net },
    hasher: { build: { context: '/src/hasher', dockerfile: 'Dockerfile' }, networks: net, expose: ['80'] },
    redis: { image: 'lean-labs/redis', networks: net },
    webui: { image: 'lean-labs/webui', networks: net, depends_on: { redis: started }, ports: [{ mode: 'ingress', target: 80, published: '8000', protocol: 'tcp' }] },
    worker: { image: 'lean-labs/worker', networks: net, depends_on: { rng: started, hasher: started, redis: started } },
  },
};

describe('ambassadors.mjs (compose-ambassadors lab)', () => {
  it('puts a proxy in front of a built service and points its dependents at it, leaving every other service as it was', () => {
    const out = insertAmbassadors(coins, [parseTarget('hasher:80', coins.services)]) as Stack;
    expect(out.services.hasherproxy).toEqual({
      image: 'lean-labs/hamba',
      pull_policy: 'never',
      command: ['80', 'hasher', '80'],
      environment: { ADMIN: '8404' },
      depends_on: { hasher: started },
      networks: net,
    });
    expect(out.services.worker!.links).toEqual(['hasherproxy:hasher']);
    expect(out.services.worker!.depends_on).toEqual({ rng: started, hasher: started, redis: started, hasherproxy: started });
    for (const name of ['rng', 'hasher', 'redis', 'webui']) expect(out.services[name]).toEqual(coins.services[name]);
    expect(coins.services.worker!.links).toBeUndefined(); // the input is not changed
  });

  it('proxies an image service with published ports on every network it is on, for each dependent, keeping their links', () => {
    const stack: Stack = {
      name: 'shop',
      services: {
        db: { image: 'postgres', networks: { back: null, admin: { aliases: ['database'] } }, ports: [{ target: 5432, published: '5432' }] },
        api: { image: 'api', networks: { back: null }, depends_on: { db: started }, links: ['cache:kv'] },
        jobs: { image: 'jobs', networks: { back: null }, depends_on: { db: { condition: 'service_healthy', required: true } } },
        web: { image: 'web', networks: { front: null }, depends_on: { api: started } },
      },
    };
    const target = parseTarget('db', stack.services);
    expect(target).toEqual({ name: 'db', port: '5432' });
    const out = insertAmbassadors(stack, [target]) as Stack;
    expect(out.services.dbproxy!.networks).toEqual({ back: null, admin: { aliases: ['database'] } });
    expect(out.services.dbproxy!.command).toEqual(['5432', 'db', '5432']);
    expect(out.services.api!.links).toEqual(['cache:kv', 'dbproxy:db']);
    expect(out.services.jobs!.links).toEqual(['dbproxy:db']);
    expect((out.services.jobs!.depends_on as Record<string, unknown>).db).toEqual({ condition: 'service_healthy', required: true });
    expect(out.services.web).toEqual(stack.services.web);
    expect(out.services.db).toEqual(stack.services.db);
  });

  it('handles several targets, and a service nobody depends on gets a proxy but no client', () => {
    const out = insertAmbassadors(
      coins,
      ['hasher:80', 'rng:80', 'webui:80'].map((t) => parseTarget(t, coins.services)),
    ) as Stack;
    expect(out.services.worker!.links).toEqual(['hasherproxy:hasher', 'rngproxy:rng']);
    expect(Object.keys(out.services).sort()).toEqual(['hasher', 'hasherproxy', 'redis', 'rng', 'rngproxy', 'webui', 'webuiproxy', 'worker']);
    expect(Object.values(out.services).filter((s) => (s.links as string[] | undefined)?.includes('webuiproxy:webui'))).toHaveLength(0);
  });

  it('refuses unknown services, bad ports, an unknown port, and a proxy name already taken, saying what to write', () => {
    expect(() => parseTarget('hashr:80', coins.services)).toThrow('no service named "hashr" in the stack (it has: rng, hasher, redis, webui, worker)');
    expect(() => parseTarget('hasher:http', coins.services)).toThrow('the port must be a number, as in hasher:80');
    expect(() => parseTarget('rng', coins.services)).toThrow('say which port of "rng" to relay, as in rng:80');
    const twice = insertAmbassadors(coins, [parseTarget('hasher:80', coins.services)]) as Stack;
    expect(() => insertAmbassadors(twice, [{ name: 'hasher', port: '80' }])).toThrow('already has a service named "hasherproxy"');
  });
});
