import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECK_KINDS } from '../../runner/checks/registry.js';
import type { CheckContext, CheckKind } from '../../runner/checks/types.js';
import type { ContainerFacts } from '../../runner/docker/port.js';
import { judgeSettled } from '../../runner/engine/judge.js';
import { parseCheckBlock } from '../../runner/lab/check-block.js';
import type { CheckSpec } from '../../runner/lab/types.js';
import { containerFacts, FakeDocker } from './fake-docker.js';

/**
 * Every check kind, fed an engine that moves between its readings: a state that reads right for a moment and then
 * settles wrong, a state that settles right after reading wrong, and its containers caught in a restart loop.
 * Each kind has a scenario here (a kind added without one fails the first test).
 */
interface Scenario {
  /** The check as a lab writes it. */
  readonly yaml: string;
  /** Puts the engine in a state where the check must pass (right) or fail (wrong). */
  readonly state: (d: FakeDocker, right: boolean) => void;
}

const steady = (name: string, over: Parameters<typeof containerFacts>[1] = {}): ContainerFacts =>
  containerFacts(name, { ...over, state: { startedAt: new Date(Date.now() - 60_000).toISOString(), ...over.state } });
const summary = (name: string, labels: Record<string, string>) => steady(name, { labels });
const nslookup = (answer: boolean) =>
  answer
    ? { exitCode: 0, stdout: 'Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nName:\tredis\nAddress: 172.18.0.3\n', stderr: '' }
    : { exitCode: 1, stdout: "** server can't find redis: NXDOMAIN\n", stderr: '' };
const scratch = mkdtempSync(join(tmpdir(), 'lean-labs-settling-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const flagFile = join(scratch, 'flag');

const SCENARIOS: Readonly<Record<string, Scenario>> = {
  attached: {
    yaml: 'kind: attached\ncontainer: amb\nnetwork: lan\naliases: [redis]',
    state: (d, right) => d.add(steady('amb', { networks: { lan: { aliases: right ? ['redis'] : [], ip: '172.18.0.4' } } })),
  },
  cgroup: {
    yaml: 'kind: cgroup\ncontainer: box\nsetting: memory-limit\nequals: 64m',
    state: (d, right) => {
      d.add(steady('box'));
      d.execAnswers = [{ container: 'box', match: /memory\.max/, result: { exitCode: 0, stdout: right ? '67108864\n' : 'max\n', stderr: '' } }];
    },
  },
  compose: {
    yaml: 'kind: compose\nproject: coins\nservice: worker\nreplicas: 2',
    state: (d, right) => {
      d.containers.clear();
      const labels = { 'com.docker.compose.project': 'coins', 'com.docker.compose.service': 'worker' };
      for (const n of right ? ['w1', 'w2'] : ['w1', 'w2', 'w3']) d.add(summary(n, labels));
    },
  },
  container: {
    yaml: 'kind: container\ncontainer: web\nstate: running',
    state: (d, right) => d.add(steady('web', right ? {} : { state: { status: 'exited', running: false, exitCode: 1 } })),
  },
  diff: {
    yaml: 'kind: diff\ncontainer: ro\nempty: true',
    state: (d, right) => {
      d.add(steady('ro'));
      d.changesOf.set('ro', right ? [] : [{ kind: 'A', path: '/tmp/cache' }]);
    },
  },
  dns: {
    yaml: 'kind: dns\nname: redis\nfrom: app',
    state: (d, right) => {
      d.add(steady('app'));
      d.helperAnswers = Array.from({ length: 4 }, () => nslookup(right));
    },
  },
  events: {
    yaml: 'kind: events\ncontainer: loop\naction: start\ncount: 4',
    state: (d, right) => {
      d.add(steady('loop'));
      d.pastEventsOf.set(
        'loop',
        Array.from({ length: right ? 4 : 5 }, () => ({ type: 'container', action: 'start', name: 'loop', time: 10, attributes: {} })),
      );
    },
  },
  exec: {
    yaml: 'kind: exec\ncontainer: web\nrun: cat /ready\nstdout: ready',
    state: (d, right) => {
      d.add(steady('web'));
      d.execAnswers = [{ container: 'web', match: /cat/, result: { exitCode: 0, stdout: right ? 'ready\n' : 'starting\n', stderr: '' } }];
    },
  },
  file: {
    yaml: 'kind: file\ncontainer: web\npath: /etc/nginx/conf.d/site.conf\ncontains: listen 8080',
    state: (d, right) => {
      d.add(steady('web'));
      d.files.set('web:/etc/nginx/conf.d/site.conf', right ? 'server { listen 8080; }' : 'server { listen 80; }');
    },
  },
  health: {
    yaml: 'kind: health\ncontainer: web\nstatus: healthy',
    state: (d, right) => d.add(steady('web', { state: { health: right ? 'healthy' : 'unhealthy' } })),
  },
  hostconfig: {
    yaml: 'kind: hostconfig\ncontainer: job\nrestartPolicy: on-failure:3',
    state: (d, right) => d.add(steady('job', { hostConfig: { restartPolicy: 'on-failure', restartRetries: right ? 3 : 0 } })),
  },
  http: {
    yaml: 'kind: http\nfrom: web\nurl: http://localhost/\nbody: hello',
    state: (d, right) => {
      d.add(steady('web'));
      d.helperAnswers = Array.from({ length: 4 }, () => ({ exitCode: 0, stdout: right ? 'hello' : 'welcome to nginx', stderr: '  HTTP/1.1 200 OK\n' }));
    },
  },
  image: {
    yaml: 'kind: image\nimage: app:v2\nuser: www',
    state: (d, right) =>
      d.images.set('app:v2', {
        id: 'sha256:2',
        tags: ['app:v2'],
        size: 1,
        layers: 1,
        layerIds: [],
        created: 0,
        labels: {},
        config: { entrypoint: [], cmd: ['app'], user: right ? 'www' : '', exposedPorts: [], healthcheck: false },
      }),
  },
  labelled: {
    yaml: 'kind: labelled\nlabel: role=web\nrunning: 2',
    state: (d, right) => {
      d.containers.clear();
      for (const n of right ? ['a', 'b'] : ['a', 'b', 'c']) d.add(summary(n, { role: 'web' }));
    },
  },
  logs: {
    yaml: 'kind: logs\ncontainer: app\ncountOf: GET /\ncount: 2',
    state: (d, right) => {
      d.add(steady('app'));
      d.logsOf.set('app', right ? 'GET /\nGET /\n' : 'GET /\nGET /\nGET /\n');
    },
  },
  namespace: {
    yaml: 'kind: namespace\na: first\nb: second\nnamespaces: [ipc]\nshared: true',
    state: (d, right) => {
      d.add(steady('first')).add(steady('second'));
      d.namespacesOf.set('first', { ipc: 'ipc:[4026532300]' });
      d.namespacesOf.set('second', { ipc: right ? 'ipc:[4026532300]' : 'ipc:[4026532311]' });
    },
  },
  network: {
    yaml: 'kind: network\nnetwork: lan\ndriver: bridge',
    state: (d, right) => d.networks.set('lan', { name: 'lan', id: 'n1', created: 0, labels: {}, driver: right ? 'bridge' : 'macvlan' }),
  },
  rate: {
    yaml: 'kind: rate\nurl: http://webui/json\nnetwork: lan\nfield: hashes\nover: 1s\nmin: 10',
    state: (d, right) => {
      d.networks.set('lan', { name: 'lan', id: 'n1', created: 0, labels: {}, driver: 'bridge' });
      const second = right ? 40 : 3;
      d.helperAnswers = Array.from({ length: 4 }, () => ({ exitCode: 0, stdout: `{"hashes":0}\n--lean-labs-second-reading--\n{"hashes":${second}}`, stderr: '' }));
    },
  },
  shell: {
    yaml: `kind: shell\nrun: grep -q ready ${flagFile}`,
    state: (_d, right) => writeFileSync(flagFile, right ? 'ready\n' : 'starting\n'),
  },
  volume: {
    yaml: 'kind: volume\nvolume: data\ndriver: local',
    state: (d, right) => d.volumes.set('data', { name: 'data', id: 'data', created: 0, labels: {}, driver: right ? 'local' : 'nfs' }),
  },
};

const ctxOf = (docker: FakeDocker): CheckContext => ({
  docker,
  labels: { 'lean-labs.lab': 't' },
  helperImage: 'lean-labs/busybox:v1',
  since: 0,
  settleMs: 15,
});
const specOf = (yaml: string): CheckSpec => {
  const [spec] = parseCheckBlock(`- ${yaml.replace(/\n/g, '\n  ')}`, 'lab.md', 1);
  return { ...spec!, withinMs: 0 };
};

/**
 * The kind as the judge sees it, on an engine whose state is `phases[0]` while the first reading is taken and the
 * following phases for later readings (the last one holds): a moving engine, seen reading by reading.
 */
function moving(kind: CheckKind, s: Scenario, phases: readonly boolean[], d = new FakeDocker()): { kind: CheckKind; docker: FakeDocker } {
  let reads = 0;
  s.state(d, phases[0]!);
  return {
    docker: d,
    kind: {
      ...kind,
      evaluate: (fields, ctx) => {
        s.state(d, phases[Math.min(reads++, phases.length - 1)]!);
        return kind.evaluate(fields, ctx);
      },
    },
  };
}

describe('every check kind is judged on a settled state', () => {
  it('each registered kind has a scenario here', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual([...CHECK_KINDS.keys()].sort());
  });

  for (const [name, s] of Object.entries(SCENARIOS)) {
    describe(name, () => {
      const kind = CHECK_KINDS.get(name)!;
      const spec = specOf(s.yaml);
      const settling = kind.settles(spec.fields);

      it('fails on the settled wrong state and passes on the settled right one', async () => {
        const wrong = moving(kind, s, [false]);
        expect((await judgeSettled(wrong.kind, spec, ctxOf(wrong.docker))).pass).toBe(false);
        const right = moving(kind, s, [true]);
        expect(await judgeSettled(right.kind, spec, ctxOf(right.docker))).toMatchObject({ pass: true });
      });

      it('right for a moment, then settled wrong: it does not pass', async () => {
        const m = moving(kind, s, [true, false]);
        const ctx = ctxOf(m.docker);
        if (settling.repeat) {
          // A moving figure: the one judgement reads twice and sees it move.
          expect((await judgeSettled(m.kind, spec, ctx)).pass).toBe(false);
        } else {
          // Fixed configuration passes on what it reads, and the next judgement reads again: nothing is kept.
          expect((await judgeSettled(m.kind, spec, ctx)).pass).toBe(true);
          expect((await judgeSettled(m.kind, spec, ctx)).pass).toBe(false);
        }
        // The state stays wrong: judged again and again, it still fails.
        for (let i = 0; i < 3; i++) expect((await judgeSettled(m.kind, spec, ctx)).pass).toBe(false);
      });

      it('wrong at first, then settled right: re-judging passes', async () => {
        const m = moving(kind, s, [false, false, true]);
        const ctx = ctxOf(m.docker);
        let outcome = await judgeSettled(m.kind, spec, ctx);
        for (let i = 0; i < 4 && !outcome.pass; i++) outcome = await judgeSettled(m.kind, spec, ctx);
        expect(outcome.pass).toBe(true);
      });

      for (const subject of settling.containers) {
        it(`right, but ${subject} is in a restart loop: it does not pass until ${subject} stays up`, async () => {
          const m = moving(kind, s, [true]);
          const ctx = ctxOf(m.docker);
          s.state(m.docker, true);
          const c = m.docker.containers.get(subject)!;
          const loop = (over: Partial<ContainerFacts['state']>) => {
            const inner = m.kind.evaluate;
            return {
              ...m.kind,
              evaluate: async (f: Readonly<Record<string, unknown>>, x: CheckContext) => {
                const r = await inner(f, x);
                m.docker.add({ ...m.docker.containers.get(subject)!, state: { ...c.state, restarts: 5, ...over } });
                return r;
              },
            };
          };
          const between = await judgeSettled(loop({ status: 'restarting', running: false }), spec, ctx);
          expect(between.pass).toBe(false);
          expect(between.found).toMatch(new RegExp(`${subject}: it is restarting`));
          const momentUp = await judgeSettled(loop({ startedAt: new Date().toISOString() }), spec, ctx);
          expect(momentUp.pass).toBe(false);
          expect(momentUp.found).toMatch(/keeps restarting/);
          expect((await judgeSettled(loop({ startedAt: new Date(Date.now() - 30_000).toISOString() }), spec, ctx)).pass).toBe(true);
        });
      }
    });
  }

  it('configuration holds while its container restarts: a restart policy on a crash-looping container passes', async () => {
    const kind = CHECK_KINDS.get('hostconfig')!;
    const spec = specOf(SCENARIOS.hostconfig!.yaml);
    const d = new FakeDocker().add(containerFacts('job', { state: { status: 'restarting', running: false, restarts: 2 }, hostConfig: { restartPolicy: 'on-failure', restartRetries: 3 } }));
    expect((await judgeSettled(kind, spec, ctxOf(d))).pass).toBe(true);
  });
});
