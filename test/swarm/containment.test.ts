/**
 * A class of two on a real one-node swarm, attacked from a learner's own shell: the learner is root in their cell
 * and nothing outside it. The escape suite (escape.sh) is typed into the learner's terminal through the gateway
 * `class join` uses; each way out found in the old sandbox recipe, and variants, must be refused, and the host must
 * be unchanged afterwards. Then what the learner starts must count against their sandbox: memory and processes.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, docker } from '../integration/helpers.js';
import { inSandbox, sleep, taskContainer, TestClass, type Terminal } from './class-helpers.js';

const NAME = `c${process.pid % 100000}`;
const cls = new TestClass(NAME, mkdtempSync(join(tmpdir(), 'll-contain-')), 7000 + (process.pid % 300));
const learners: Array<{ name: string; token: string; sandbox: string; term?: Terminal }> = [];

/** What an attack on the host would change, read on the host. */
async function hostState(): Promise<Record<string, string>> {
  const cgroupMounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => / - cgroup2? /.test(l)).length;
  return {
    corePattern: readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trim(),
    // Each controller's hierarchy (not its count of groups, which every container changes).
    hierarchies: readFileSync('/proc/cgroups', 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('\t').slice(0, 2).join(' '))
      .join(';'),
    cgroupMounts: String(cgroupMounts),
    // Every named hierarchy of the kernel (a learner's left behind broke every later container on the host).
    named: readFileSync('/proc/self/cgroup', 'utf8')
      .split('\n')
      .filter((l) => l.includes('name='))
      .join(';'),
  };
}

describe('a class of two: a learner is root in their cell and nothing outside it', () => {
  let before: Record<string, string>;

  beforeAll(async () => {
    before = await hostState();
    const r = await cli(['class', 'up', '--name', NAME, '--learners', '2', '--reserve', '0', '--labs', 'namespaces', '--memory', '1g', '--port', String(cls.port), '--yes'], cls.env);
    expect(r.code, r.stderr).toBe(0);
    for (const name of ['Eve', 'Bob']) {
      const j = await cls.join({ code: cls.config().joinCode, name });
      expect(j.status).toBe(201);
      learners.push({ name, token: j.body.token!, sandbox: j.body.sandbox! });
    }
  });

  afterAll(async () => {
    for (const l of learners) l.term?.ws.terminate();
    await cli(['class', 'down', '--name', NAME], cls.env);
  });

  it("every escape typed into the learner's shell is refused, and the host is unchanged", async () => {
    const [eve, bob] = learners;
    const bobTask = await docker('inspect', '-f', '{{.Id}}', await taskContainer(bob!.sandbox));
    // Bob's sandbox answers on its address outside his cell (as the agent's side does): the test reaches it.
    await docker('exec', '-d', bobTask, 'node', '-e', "require('http').createServer((q, s) => s.end('bob')).listen(8080)");
    const bobIp = (await docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', bobTask)).trim().split(' ')[0]!;
    const hostIp = new URL(JSON.parse(readFileSync(join(cls.state, 'classes', NAME, 'class.json'), 'utf8')).sandboxUrl as string).hostname;
    // The class server is there for Eve's agent (outside her cell): the attempt from her cell is a real one.
    const eveTask = await taskContainer(eve!.sandbox);
    expect(await docker('exec', eveTask, 'curl', '-s', '-m', '3', '-o', '/dev/null', '-w', '%{http_code}', `http://${hostIp}:${cls.port}/`)).toMatch(/^[1-5]\d\d$/);

    // The suite goes into Eve's home; she runs it from her own shell, in her terminal.
    const script = readFileSync(join(import.meta.dirname, 'escape.sh')).toString('base64');
    expect((await inSandbox(eve!.sandbox, `echo ${script} | base64 -d > /root/escape.sh`)).code).toBe(0);
    eve!.term = await cls.terminal(eve!.token);
    await eve!.term.waitFor(/root@sandbox-\d+:/);
    eve!.term.type('\u0002o'); // tmux: to the shell pane
    await sleep(500);
    eve!.term.type(`bash /root/escape.sh ${bobTask} ${hostIp} ${cls.port} ${bobIp} > /root/escape.out 2>&1; echo "suite-$((40+2))"\r`);
    await eve!.term.waitFor(/suite-42/, 240_000);
    const out = (await inSandbox(eve!.sandbox, 'cat /root/escape.out')).out;
    expect(out).toMatch(/escape-suite done/);
    const results = out.split('\n').filter((l) => /^[a-z-]+: /.test(l));
    expect(results.length).toBeGreaterThanOrEqual(24);
    expect(results.filter((l) => !l.endsWith(': blocked'))).toEqual([]);

    // The host is as it was, and so is Bob: his sandbox is not frozen and his engine answers him.
    expect(await hostState()).toEqual(before);
    expect(readFileSync(`/sys/fs/cgroup/freezer/docker/${bobTask}/freezer.state`, 'utf8').trim()).toBe('THAWED');
    expect((await inSandbox(bob!.sandbox, "docker info --format '{{.Swarm.LocalNodeState}}'")).out.trim()).toBe('inactive');
  });

  it('an inner container without -m that takes more than the sandbox has is killed inside it; the other learner keeps answering', async () => {
    const [eve, bob] = learners;
    // 1.5 GB in an inner container with no limit of its own, in a sandbox of 1 GB.
    const hog = inSandbox(eve!.sandbox, 'docker run --name hog lean-labs/toolbox sh -c "head -c 1500M /dev/zero | tail"; docker inspect -f "{{.State.ExitCode}} {{.State.OOMKilled}}" hog', 180_000);
    // Meanwhile Bob's shell answers within a second, every time.
    const slowest: number[] = [];
    let done = false;
    void hog.then(() => (done = true));
    while (!done) {
      const t0 = Date.now();
      expect((await inSandbox(bob!.sandbox, 'echo here')).out.trim()).toBe('here');
      slowest.push(Date.now() - t0);
      await sleep(300);
    }
    const r = await hog;
    // The inner container's init saw its child killed by the kernel, and the engine says why.
    expect(r.out.split('\n').find((l) => /^\d+ (true|false)$/.test(l))).toBe('137 true');
    expect(Math.max(...slowest), `Bob's slowest answers: ${slowest.join(', ')} ms`).toBeLessThan(1000);
    // Eve's sandbox lives on (its agent is outside the cell and kept memory of its own): no restart.
    const rows = await cls.statusRows();
    expect(rows.find((x) => x.sandbox === eve!.sandbox)).toMatchObject({ restarts: 0 });
    expect((await inSandbox(eve!.sandbox, 'docker rm hog >/dev/null && echo gone')).out.trim()).toBe('gone');
  });

  it("processes started in an inner container stop at the sandbox's pids limit", async () => {
    const [eve] = learners;
    // The sandbox's limit is 4096; an inner container with no limit of its own tries 5000 sleeping processes.
    // A shell that cannot fork ends: each start is counted in a file as it happens, read back without forking.
    const r = await inSandbox(
      eve!.sandbox,
      `docker run --rm lean-labs/busybox sh -c 'sh -c "i=0; while [ \\$i -lt 5000 ]; do sleep 30 & i=\\$((i+1)); echo \\$i > /tmp/n; done" 2>/dev/null; read n < /tmp/n; echo "started $n"'`,
      180_000,
    );
    const started = Number(/started (\d+)/.exec(r.out)?.[1]);
    expect(started, r.out.slice(-500)).toBeGreaterThan(1000);
    expect(started).toBeLessThan(4096);
    expect((await inSandbox(eve!.sandbox, 'echo still-here')).out.trim()).toBe('still-here');
  });
});
