import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TmuxTerminal } from '../../bench/tmux.js';
import { hasControls } from '../../runner/text/controls.js';
import { HOSTILE_TEXT, printfFormat } from '../fixtures/hostile.js';
import { cli, CLI, containerExists, docker, killWhenShown, removeContainers, ROOT } from './helpers.js';

/**
 * What a hostile tester tries against the built CLI on the real engine: a learner's own things under the lab's
 * names, control sequences from containers, addresses that never answer, folders that are not labs.
 */

/** Writes one lab into a fresh folder of labs; returns the folder. */
function labsWith(id: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ll-${id}-labs-`));
  mkdirSync(join(dir, id));
  writeFileSync(join(dir, id, 'lab.md'), text);
  return dir;
}

/** A lab whose container prints a catalogue of terminal control sequences, and whose check quotes its logs. */
function hostileLabs(): string {
  return labsWith(
    'hostile',
    `---
format: 1
id: hostile
title: Hostile output
summary: A container prints terminal control sequences.
duration: 1m
images: [busybox]
resources:
  containers: [hostile-printer]
---

## Print them

\`\`\`sh
docker run --name hostile-printer lean-labs/busybox printf '${printfFormat()}'
docker logs hostile-printer
\`\`\`

\`\`\`check
- kind: logs
  container: hostile-printer
  contains: this text never appears
\`\`\`
`,
  );
}

const stateDir = () => mkdtempSync(join(tmpdir(), 'll-state-'));

describe('control sequences from containers never reach a terminal or a report', () => {
  const labs = hostileLabs();
  afterEach(async () => {
    await removeContainers('hostile-printer');
  });

  it('in the runner (tmux): title, clipboard, alternate screen and mouse mode stay as they were', async () => {
    const term = new TmuxTerminal('hostile');
    const state = stateDir();
    try {
      term.start(`cd ${ROOT} && CI=true LEAN_LABS_STATE_DIR=${state} ${process.execPath} ${CLI} start hostile --labs ${labs}; sleep 5`);
      term.setOption('set-clipboard', 'on');
      term.setTitle('lean-labs-test-title');
      await term.waitFor(/Checks\s+0\/1 pass/, { timeoutMs: 60_000 });
      const before = term.state();
      expect(before).toMatchObject({ title: 'lean-labs-test-title', alternate: '1', mouse: '0', buffers: '' });
      term.keys(`${term.session}:0`, 'r');
      // The output pane and the failing check both show the sequences, made visible.
      await term.waitFor(/BEL and backspaces: \[ab\^H\^H\^G\]/, { timeoutMs: 30_000 });
      const judged = await term.waitFor(/its logs end with: \S/, { timeoutMs: 30_000 });
      expect(judged).toContain('8-bit CSI (C1): [<U+009B>31mc1-red]');
      expect(term.state()).toEqual(before);
      term.keys(`${term.session}:0`, 'q');
      await term.waitFor(/Progress saved/);
    } finally {
      term.kill();
      await cli(['reset', 'hostile', '--labs', labs], { LEAN_LABS_STATE_DIR: state });
    }
  });

  it.each(['plain', 'tap', 'junit'])('in the %s reporter', async (reporter) => {
    const out = join(mkdtempSync(join(tmpdir(), 'll-report-')), 'report.xml');
    const r = await cli(['verify', 'hostile', '--labs', labs, '--reporter', reporter, '--out', out]);
    expect(r.code).toBe(1);
    const text = reporter === 'junit' ? readFileSync(out, 'utf8') : r.stdout;
    expect(hasControls(text), text).toBe(false);
    expect(hasControls(r.stderr)).toBe(false);
    // The learner still reads what the container printed, every sequence spelled out.
    expect(text).toContain('CSI colour (SGR): [^[[31;1mred^[[0m]');
  });

  it('the catalogue itself holds every family the escaping must handle', () => {
    expect(hasControls(HOSTILE_TEXT)).toBe(true);
  });
});

describe("the learner's own things under a lab's names", () => {
  afterEach(async () => {
    await removeContainers('ns-a', 'ns-pid');
  });

  it("the runner never judges or resets a learner's ns-a made a moment before the lab opened", async () => {
    const term = new TmuxTerminal('owner');
    const state = stateDir();
    // As `docker run … && lean-labs start namespaces` does: made a second before the session began.
    await docker('run', '-d', '--name', 'ns-a', 'lean-labs/busybox', 'sleep', '600');
    const id = await docker('inspect', '-f', '{{.Id}}', 'ns-a');
    try {
      term.start(`cd ${ROOT} && CI=true LEAN_LABS_STATE_DIR=${state} ${process.execPath} ${CLI} start namespaces; sleep 5`);
      const screen = await term.waitFor(/Names this lab needs are held by your own things/, { timeoutMs: 60_000 });
      expect(screen).toContain('container ns-a (it was there before the lab began): free it with `docker rename ns-a ns-a-mine`');
      expect(screen).not.toMatch(/Step complete|\d+\/2 pass/);
      // Reset asks, then removes what the lab made, and never the learner's ns-a.
      term.keys(`${term.session}:0`, 'R');
      // The question itself, not the footer's `R reset`, which is always on screen.
      await term.waitFor(/Reset namespaces\? This removes what the lab made[\s\S]*y\/N/);
      term.keys(`${term.session}:0`, 'y');
      await term.waitFor(/Lab reset: [\s\S]*left alone container ns-a \(yours\)/);
      expect(await docker('inspect', '-f', '{{.Id}}', 'ns-a')).toBe(id);
      // Freeing the name lets the lab go on: the learner's container is renamed, the lab's is judged.
      await docker('rename', 'ns-a', 'ns-a-mine');
      term.keys(`${term.session}:0`, 'r');
      await term.waitFor(/Checks\s+2\/2 pass/, { timeoutMs: 30_000 });
      term.keys(`${term.session}:0`, 'q');
      await term.waitFor(/Progress saved/);
    } finally {
      term.kill();
      await cli(['reset', 'namespaces'], { LEAN_LABS_STATE_DIR: state });
      await removeContainers('ns-a-mine');
    }
  });

  it('after verify is killed outright, reset leaves an ns-a the learner made after it died', async () => {
    const state = stateDir();
    await killWhenShown(['verify', 'namespaces'], '2. Join another', { LEAN_LABS_STATE_DIR: state });
    // What the killed run made is the lab's; the learner clears it by hand, waits, and makes their own ns-a.
    await removeContainers('ns-a', 'ns-pid');
    await new Promise((r) => setTimeout(r, 3000));
    await docker('run', '-d', '--name', 'ns-a', 'lean-labs/busybox', 'sleep', '600');
    const reset = await cli(['reset', 'namespaces'], { LEAN_LABS_STATE_DIR: state });
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
    expect(reset.stdout).toContain('Left alone, because lean-labs did not make them: container ns-a');
    expect(await containerExists('ns-a')).toBe(true);
  });
});

describe('anonymous volumes', () => {
  it('a lab whose commands remove a container without -v fails cleanup, and verify removes the volume', async () => {
    const dir = labsWith(
      'anon',
      `---
format: 1
id: anon
title: Anonymous volume
summary: Removes a container without -v.
duration: 1m
images: [busybox]
resources:
  containers: [anon-box]
---

## Start and remove

\`\`\`sh
docker run -d --name anon-box -v /data lean-labs/busybox sleep 300
docker rm -f anon-box
\`\`\`

\`\`\`check
- kind: events
  container: anon-box
  action: destroy
  count: 1
\`\`\`
`,
    );
    const volumes = async () => (await docker('volume', 'ls', '-q')).split('\n').filter(Boolean).sort();
    const before = await volumes();
    const r = await cli(['verify', 'anon', '--labs', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/left 1 anonymous volume behind \([0-9a-f]{12}\): remove containers with `docker rm -v`/);
    expect(await volumes()).toEqual(before);
  });
});

describe('addresses and folders that are not what they should be', () => {
  let silent: Server;
  let port = 0;
  let webPort = 0;
  const web = createHttpServer((_req, res) => {
    res.writeHead(404);
    res.end('not here');
  });
  beforeAll(async () => {
    // Accepts connections and never answers: the worst kind of engine address.
    silent = createTcpServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    port = (silent.address() as { port: number }).port;
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    webPort = (web.address() as { port: number }).port;
  });
  afterAll(() => {
    silent.close();
    web.close();
  });

  it.each(['doctor', 'verify', 'reset'])('%s gives up on an address that never answers within seconds', async (command) => {
    const t0 = Date.now();
    const r = await cli(command === 'doctor' ? ['doctor'] : [command, 'namespaces'], { DOCKER_HOST: `tcp://127.0.0.1:${port}` });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(`No Docker engine answers at tcp://127.0.0.1:${port} (from DOCKER_HOST): no answer within 5 s.`);
    expect(r.stdout + r.stderr).not.toContain('engine up');
  });

  it('names an HTTP server that is not an engine', async () => {
    const r = await cli(['doctor'], { DOCKER_HOST: `tcp://127.0.0.1:${webPort}` });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`Something answers at tcp://127.0.0.1:${webPort}, but it is not a Docker engine (it said: HTTP 404 to GET /_ping)`);
  });

  it.each([
    ['tcp://[::1]:1', /No Docker engine answers at tcp:\/\/\[::1\]:1 \(from DOCKER_HOST\): connection refused/],
    ['tcp://localhost:70000', /DOCKER_HOST=tcp:\/\/localhost:70000 has "70000" as its port, which is not a port number/],
  ])('DOCKER_HOST=%s gets a message about that value', async (value, message) => {
    const r = await cli(['doctor'], { DOCKER_HOST: value });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('hit a bug');
  });

  it('verify of an empty folder, of a file, and of a lab.md that is a folder: errors, not stacks or green runs', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'll-empty-'));
    const none = await cli(['verify', '--labs', empty]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`No labs in ${empty}`);
    writeFileSync(join(empty, 'notes.txt'), 'x');
    const file = await cli(['verify', '--labs', join(empty, 'notes.txt')]);
    expect(file.code).toBe(1);
    expect(file.stderr).toContain('is a file, not a folder of labs');
    mkdirSync(join(empty, 'odd', 'lab.md'), { recursive: true });
    const dir = await cli(['list', '--labs', empty]);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toMatch(/odd\/lab\.md:1: lab\.md is not a file/);
    for (const r of [none, file, dir]) expect(r.stderr).not.toMatch(/hit a bug|    at /);
  });

  it("start with saved progress past the lab's last step clamps it, says so, and keeps the rest", async () => {
    const state = stateDir();
    writeFileSync(join(state, 'progress.json'), JSON.stringify({ version: 1, labs: { namespaces: { step: 40, hints: {}, completed: ['start-a-long-running-container'], updatedAt: 1 } } }));
    const term = new TmuxTerminal('clamp');
    try {
      term.start(`cd ${ROOT} && CI=true LEAN_LABS_STATE_DIR=${state} ${process.execPath} ${CLI} start namespaces; sleep 5`);
      const screen = await term.waitFor(/past its last step/, { timeoutMs: 60_000 });
      expect(screen).toMatch(/namespaces: your saved place \(step 41\) is past its last step now; you are on step \d+\./);
      term.keys(`${term.session}:0`, 'q');
      const bye = await term.waitFor(/Progress saved/);
      expect(bye).not.toContain('hit a bug');
    } finally {
      term.kill();
      await cli(['reset', 'namespaces'], { LEAN_LABS_STATE_DIR: state });
    }
  });
});
