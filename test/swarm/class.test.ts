/**
 * A class of three on a real one-node swarm, driven as an instructor and three learners would: `class up`, joins
 * through the server, a lab's first step typed into each learner's web-socket terminal (the same gateway
 * `class join` uses), `class status` and `export`, isolation between sandboxes, a class server killed outright and
 * started again, and `class down` leaving nothing of the class and everything else.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CLI, cli, docker } from '../integration/helpers.js';
import { inSandbox, sleep, taskContainer, TestClass, until, type Terminal } from './class-helpers.js';

const run = promisify(execFile);
const NAME = `t${process.pid % 100000}`;
const STATE = mkdtempSync(join(tmpdir(), 'll-class-'));
const PORT = 7400 + (process.pid % 500);
const cls = new TestClass(NAME, STATE, PORT);
const { env, base: BASE } = cls;
const config = () => cls.config();
const join1 = (body: object) => cls.join(body);
const instructor = (path: string, token?: string) => cls.instructor(path, token);
const statusRows = () => cls.statusRows();
const openTerminal = (token: string) => cls.terminal(token);

const learners: Array<{ name: string; token: string; sandbox: string; term?: Terminal }> = [];

describe('a class of three on one swarm node', () => {
  beforeAll(async () => {
    // Things the class must never touch: a container and a volume of "another class", and one of the host's own.
    await docker('volume', 'create', '--label', 'lean-labs.class=other-class', `${NAME}-bystander-vol`);
    await docker('run', '-d', '--name', `${NAME}-bystander`, '--label', 'lean-labs.class=other-class', 'lean-labs/busybox', 'sleep', '600');
    await docker('run', '-d', '--name', `${NAME}-host-own`, 'lean-labs/busybox', 'sleep', '600');
  });

  afterAll(async () => {
    for (const l of learners) l.term?.ws.terminate();
    await run('tmux', ['kill-session', '-t', `join-${NAME}`]).catch(() => undefined);
    await cli(['class', 'down', '--name', NAME], env);
    await docker('rm', '-f', `${NAME}-bystander`, `${NAME}-host-own`).catch(() => '');
    await docker('volume', 'rm', `${NAME}-bystander-vol`).catch(() => '');
  });

  it('class up starts the server and three sandboxes, and says how to join', async () => {
    const r = await cli(['class', 'up', '--name', NAME, '--learners', '3', '--reserve', '0', '--labs', 'namespaces', '--memory', '1g', '--port', String(PORT), '--yes'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`class join http://127.0.0.1:${PORT}`);
    expect(r.stdout).toContain(`Join code:      ${config().joinCode}`);
    expect(r.stdout).toMatch(/All 3 sandboxes are ready/);
    const services = await docker('service', 'ls', '--filter', `label=lean-labs.class=${NAME}`, '--format', '{{.Name}} {{.Replicas}}');
    expect(services.split('\n').sort()).toEqual([`ll-${NAME}-001 1/1`, `ll-${NAME}-002 1/1`, `ll-${NAME}-003 1/1`]);
    // The sandbox is made as planned: memory limit and reservation, no --privileged.
    const spec = JSON.parse(await docker('service', 'inspect', `ll-${NAME}-001`)) as Array<{
      Spec: { TaskTemplate: { Resources: { Limits: { MemoryBytes: number }; Reservations: { MemoryBytes: number } }; ContainerSpec: { Privileges: unknown } } };
    }>;
    expect(spec[0]!.Spec.TaskTemplate.Resources.Limits.MemoryBytes).toBe(1024 ** 3);
    expect(spec[0]!.Spec.TaskTemplate.Resources.Reservations.MemoryBytes).toBe(512 * 1024 ** 2);
  });

  it('refuses a wrong join code, then lets three learners in, and a fourth finds the class full', async () => {
    const wrong = await join1({ code: 'NOPE00', name: 'Mallory' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toMatch(/wrong join code/);
    for (const name of ['Ada', 'Grace', 'Linus']) {
      const r = await join1({ code: config().joinCode.toLowerCase(), name });
      expect(r.status).toBe(201);
      learners.push({ name, token: r.body.token!, sandbox: r.body.sandbox! });
    }
    expect(new Set(learners.map((l) => l.sandbox)).size).toBe(3);
    const full = await join1({ code: config().joinCode, name: 'Late' });
    expect(full.status).toBe(409);
    expect(full.body.error).toMatch(/class is full \(3 learners\)/);
    // Coming back with the token gives the same sandbox.
    const back = await join1({ token: learners[0]!.token });
    expect(back.body.sandbox).toBe(learners[0]!.sandbox);
  });

  it('each learner does the first step of the lab through the gateway, and status shows it done', async () => {
    for (const l of learners) {
      l.term = await openTerminal(l.token);
      // The runner opens the class's one lab, with a shell pane beside it.
      await l.term.waitFor(/step 1 of 9/);
      await l.term.waitFor(/root@sandbox-\d+:/); // the shell pane beside it is there
      l.term.type('\u0002o'); // tmux: to the shell pane
      await sleep(500);
      l.term.type('docker run -d --name ns-a lean-labs/toolbox sleep infinity && docker exec ns-a ps -e -o pid,comm\r');
    }
    const rows = await until('three first steps done', statusRows, (rs) => rs.filter((r) => r.passed === 2 && r.total === 2).length === 3, 120_000);
    for (const l of learners) {
      const row = rows.find((r) => r.sandbox === l.sandbox)!;
      expect(row).toMatchObject({ learner: l.name, state: 'claimed', lab: 'namespaces', stepNumber: 1, passed: 2, total: 2 });
    }
    const table = await cli(['class', 'status', '--name', NAME], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Ada\s+ll-\S+\s+\S+\s+claimed\s+namespaces\s+1\/9 start-a-long-running-container\s+2\/2/);
    const out = join(STATE, 'results.csv');
    const exp = await cli(['class', 'export', '--name', NAME, '--out', out], env);
    expect(exp.code).toBe(0);
    const csv = readFileSync(out, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('learner,name,lab,step_number,step,entered_at,done_at,seconds,hints,solved');
    for (const l of learners) expect(csv.some((line) => line.includes(`,${l.name},namespaces,1,start-a-long-running-container,`) && /Z,\d+,0,false$/.test(line))).toBe(true);
  });

  it('a learner reaches only their own sandbox', async () => {
    const [a, b] = learners;
    // b serves something in its cell, published on all of the cell's addresses: b reaches it.
    const serve = 'docker run -d --name web -p 8080:80 lean-labs/busybox httpd -f -p 80 -h /etc >/dev/null && sleep 2';
    expect((await inSandbox(b!.sandbox, `${serve} && curl -s -m 5 -o /dev/null -w "%{http_code}" http://127.0.0.1:8080/hostname`)).out).toBe('200');
    // b's sandbox also answers on the bridge to the outside (docker_gwbridge), outside the cells: the test reaches
    // it from the host; a's cell gets no connection at all, nor does b's own. (Only addresses on this machine.)
    const bTask = await taskContainer(b!.sandbox);
    await docker('exec', '-d', bTask, 'node', '-e', "require('http').createServer((q, s) => s.end('b')).listen(8081)");
    const bridge = JSON.parse(await docker('network', 'inspect', 'docker_gwbridge')) as Array<{ Containers: Record<string, { IPv4Address: string }> }>;
    const bOnBridge = bridge[0]!.Containers[await docker('inspect', '-f', '{{.Id}}', bTask)]!.IPv4Address.split('/')[0]!;
    await until(
      "b's sandbox answers the host",
      async () =>
        await fetch(`http://${bOnBridge}:8081/`)
          .then((r) => r.text())
          .catch(() => ''),
      (t) => t === 'b',
      10_000,
    );
    expect((await inSandbox(a!.sandbox, `curl -s -m 3 -o /dev/null -w "%{http_code}" http://${bOnBridge}:8081/`)).out).toBe('000');
    expect((await inSandbox(b!.sandbox, `curl -s -m 3 -o /dev/null -w "%{http_code}" http://${bOnBridge}:8081/`)).out).toBe('000');
    // Each sandbox is on its own network and no other.
    for (const l of learners) {
      const nets = await docker('inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', await taskContainer(l.sandbox));
      expect(nets.trim()).toBe(l.sandbox);
    }
    // The engine in a sandbox is its own: not the swarm's, and the host's containers are not there.
    const info = await inSandbox(a!.sandbox, "docker info --format '{{.Swarm.LocalNodeState}}' && docker ps -a --format '{{.Names}}'");
    expect(info.out.trim().split('\n')).toEqual(['inactive', 'ns-a']);
    // The host's kernel log is not the learner's to read.
    expect((await inSandbox(a!.sandbox, 'dmesg >/dev/null 2>&1 && echo read || echo refused')).out.trim()).toBe('refused');
    // A learner's token opens neither another door nor the instructor's.
    expect((await instructor('/api/instructor/status', a!.token)).status).toBe(401);
    await expect(openTerminal('not-a-token')).rejects.toThrow(/401/);
    const pipe = new WebSocket(`${BASE.replace('http', 'ws')}/agent`, { headers: { authorization: `Bearer ${a!.token}` } });
    const refused = await new Promise<number>((resolve) => pipe.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0)));
    expect(refused).toBe(401);
  });

  it('a second terminal for the same learner takes over, and the first is told why', async () => {
    const a = learners[0]!;
    const second = await openTerminal(a.token);
    await until(
      'the first terminal closed',
      async () => a.term!.closed,
      (c) => c !== undefined,
      20_000,
    );
    expect(a.term!.closed).toEqual({ code: 4001, reason: expect.stringMatching(/opened in another window/) as unknown as string });
    a.term = second;
    // The same shell: tmux redraws the runner the learner left.
    await second.waitFor(/step 1 of 9/);
  });

  it('a class server killed outright loses nothing, and progress made meanwhile arrives after its restart', async () => {
    // Ada watches from the real `class join` client in a terminal (tmux); it must ride out the restart.
    const joinState = mkdtempSync(join(tmpdir(), 'll-join-'));
    writeFileSync(join(joinState, 'class-joins.json'), JSON.stringify({ [`${BASE}/`]: learners[0]!.token }));
    await run('tmux', ['new-session', '-d', '-s', `join-${NAME}`, '-x', '150', '-y', '40', `LEAN_LABS_STATE_DIR=${joinState} node ${CLI} class join ${BASE}; sleep 60`]);
    const pane = async () => (await run('tmux', ['capture-pane', '-p', '-t', `join-${NAME}`])).stdout;
    await until('the join client shows the runner', pane, (p) => /step 1 of 9/.test(p), 60_000);
    const pid = (JSON.parse(readFileSync(join(STATE, 'classes', NAME, 'server.pid'), 'utf8')) as { pid: number }).pid;
    process.kill(pid, 'SIGKILL');
    await until('the join client noticed the loss', pane, (p) => /Connection lost; reconnecting/.test(p), 20_000);
    // While the server is down, learner Grace's container goes: her runner judges the step failing, into the outbox.
    const grace = learners[1]!;
    expect((await inSandbox(grace.sandbox, 'docker rm -f ns-a')).code).toBe(0);
    await sleep(3000);
    const up = await cli(['class', 'up', '--name', NAME, '--no-wait'], env);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/server had stopped: starting it again/);
    // Back on the same shell: tmux redraws the runner over the client's notes, once.
    await until('the runner redrawn after reconnecting', pane, (p) => /step 1 of 9/.test(p) && !/reconnecting/.test(p), 60_000);
    await run('tmux', ['kill-session', '-t', `join-${NAME}`]).catch(() => undefined);
    const rows = await until('the outbox delivered', statusRows, (rs) => rs.find((r) => r.sandbox === grace.sandbox)?.passed === 0, 60_000);
    // Everything stored before the crash is there: the other two still show their step, Grace keeps her done step.
    expect(rows.filter((r) => r.passed === 2).length).toBe(2);
    const csv = (await cli(['class', 'export', '--name', NAME, '--format', 'jsonl'], env)).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; done_at: string });
    expect(
      csv
        .filter((r) => r.done_at)
        .map((r) => r.name)
        .sort(),
    ).toEqual(['Ada', 'Grace', 'Linus']);
  });

  it('a learner who stops their own engine gets it back, and the class sees the sandbox come back', async () => {
    const linus = learners[2]!;
    const stopped = await inSandbox(linus.sandbox, 'date +%s%3N; pkill -x dockerd; sleep 1; docker ps >/dev/null 2>&1 && echo up || echo down');
    const [killedAt, state] = stopped.out.trim().split('\n');
    expect(state).toBe('down');
    // Back within ten seconds of the kill (measured here: 6.0-6.5 s with a container running): the killed dockerd is
    // reaped (not left a zombie that looks like one coming up, which made the agent wait a minute), and one that
    // waits out its containers' stop timeouts gets three seconds before it and they are killed.
    // The class sees it go (watched while the engine comes back, which is quicker than the status's refresh).
    const [back] = await Promise.all([
      inSandbox(linus.sandbox, 'for i in $(seq 60); do docker info >/dev/null 2>&1 && date +%s%3N && exit 0; sleep 0.5; done; echo never'),
      until('the sandbox shown as not ready', statusRows, (rs) => rs.find((r) => r.sandbox === linus.sandbox)?.state !== 'claimed', 20_000),
    ]);
    const tookMs = Number(back.out.trim()) - Number(killedAt);
    expect(tookMs, `engine back ${tookMs} ms after the kill (${back.out.trim()})`).toBeLessThanOrEqual(10_000);
    await until('the sandbox claimed and ready again', statusRows, (rs) => rs.find((r) => r.sandbox === linus.sandbox)?.state === 'claimed', 90_000);
    expect((await inSandbox(linus.sandbox, "docker info --format '{{.ServerVersion}}'")).code).toBe(0);
  });

  it('a sandbox that runs out of memory is contained: the others are untouched', async () => {
    const [a, , c] = learners;
    // 1.5 GB held by one process in a sandbox limited to 1 GB: the kernel kills inside that sandbox only.
    await inSandbox(c!.sandbox, 'head -c 1500M /dev/zero | tail > /dev/null');
    const rows = await until('the sandbox usable again', statusRows, (rs) => rs.find((r) => r.sandbox === c!.sandbox)?.state === 'claimed', 120_000);
    expect(rows.find((r) => r.sandbox === a!.sandbox)).toMatchObject({ state: 'claimed', restarts: 0 });
    expect((await inSandbox(a!.sandbox, 'docker ps -q --filter name=ns-a')).out.trim()).not.toBe('');
  });

  it('a sandbox whose task dies is restarted by Swarm and shown as such, its learner kept', async () => {
    const grace = learners[1]!;
    await docker('kill', await taskContainer(grace.sandbox));
    const rows = await until(
      'a restart shown and the sandbox back',
      statusRows,
      (rs) => {
        const r = rs.find((x) => x.sandbox === grace.sandbox);
        return r?.state === 'claimed' && Number(r.restarts) >= 1;
      },
      120_000,
    );
    expect(rows.find((r) => r.sandbox === grace.sandbox)).toMatchObject({ learner: 'Grace' });
    // Her home (progress, outbox) is a volume: it outlived the task.
    expect((await inSandbox(grace.sandbox, 'ls ~/.local/state/lean-labs/progress.json')).code).toBe(0);
  });

  it('class down removes everything of the class and nothing else, and a second down says there is nothing', async () => {
    for (const l of learners) l.term?.ws.terminate();
    const serverPid = (JSON.parse(readFileSync(join(STATE, 'classes', NAME, 'server.pid'), 'utf8')) as { pid: number }).pid;
    const r = await cli(['class', 'down', '--name', NAME], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`its server \\(pid ${serverPid}\\) stopped`));
    expect(() => process.kill(serverPid, 0)).toThrow();
    expect(r.stdout).toMatch(/removed 3 sandbox services/);
    expect(r.stdout).toMatch(/removed 3 networks/);
    expect(r.stdout).toMatch(/removed 3 secrets/);
    expect(r.stdout).toMatch(/removed 6 volumes/);
    for (const kind of [
      ['service', 'ls'],
      ['network', 'ls'],
      ['secret', 'ls'],
      ['volume', 'ls'],
    ])
      expect(await docker(...kind, '-q', '--filter', `label=lean-labs.class=${NAME}`)).toBe('');
    expect(await docker('ps', '-q', '--filter', `label=com.docker.swarm.service.name=ll-${NAME}-001`)).toBe('');
    expect(await docker('inspect', '-f', '{{.State.Running}}', `${NAME}-bystander`, `${NAME}-host-own`)).toBe('true\ntrue');
    expect(await docker('volume', 'ls', '-q', '--filter', 'label=lean-labs.class=other-class')).toContain(`${NAME}-bystander-vol`);
    const again = await cli(['class', 'down', '--name', NAME], env);
    expect(again.stdout).toMatch(/already ended; nothing of it is left/);
    const none = await cli(['class', 'down', '--name', 'no-such-class'], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/There is no class named "no-such-class".*Nothing was touched/s);
    // The results outlive the class.
    const exp = await cli(['class', 'export', '--name', NAME], env);
    expect(exp.stdout.trim().split('\n').length).toBeGreaterThan(3);
  });
});
