import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, CLI, containerExists, docker, killWhenShown, removeContainers, ROOT } from './helpers.js';
import { loadLabs } from '../../runner/lab/load.js';

const NS_NAMES = ['ns-a', 'ns-pid', 'ns-none', 'ns-net', 'ns-host', 'ns-ipc1', 'ns-ipc2', 'ns-mnt', 'ns-user'];

describe('lean-labs CLI on the real engine', () => {
  afterEach(async () => {
    await removeContainers(...NS_NAMES);
  });

  it('verify (every bundled lab) proves every step and leaves nothing behind', async () => {
    const before = (await docker('ps', '-aq')).split('\n').filter(Boolean).length;
    const r = await cli(['verify']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const lab of loadLabs(join(ROOT, 'labs'))) expect(r.stdout).toContain(`✔ ${lab.id} passed`);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^\d+ passed, 0 failed$/);
    expect((await docker('ps', '-aq')).split('\n').filter(Boolean).length).toBe(before);
  }, 900_000);

  it('verify --reporter junit writes a file CI can read', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'll-junit-')), 'report.xml');
    const r = await cli(['verify', 'namespaces', '--reporter', 'junit', '--out', out]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const xml = readFileSync(out, 'utf8');
    expect(xml).toMatch(/<testsuite name="namespaces" tests="\d+" failures="0"/);
  });

  it('refuses to run over a container the learner made, and never removes it', async () => {
    await docker('run', '-d', '--name', 'ns-a', '--label', 'mine=yes', 'lean-labs/busybox', 'sleep', '600');
    const id = await docker('inspect', '-f', '{{.Id}}', 'ns-a');
    const r = await cli(['verify', 'namespaces']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('container ns-a');
    expect(r.stdout).toContain('container ns-a (no session of the lab made it): free it with `docker rename ns-a ns-a-mine`');
    expect(r.stdout).toContain('lean-labs never judges or removes what you made yourself');
    const reset = await cli(['reset', 'namespaces']);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('Left alone, because lean-labs did not make them: container ns-a');
    expect(await docker('inspect', '-f', '{{.Id}}', 'ns-a')).toBe(id);
  });

  it('a run killed with SIGKILL leaves resources that reset reclaims', async () => {
    const state = mkdtempSync(join(tmpdir(), 'll-state-'));
    await killWhenShown(['verify', 'namespaces'], '2. Join another', { LEAN_LABS_STATE_DIR: state });
    expect(await containerExists('ns-a')).toBe(true);
    const reset = await cli(['reset', 'namespaces'], { LEAN_LABS_STATE_DIR: state });
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
    expect(reset.stdout).toMatch(/Removed .*container ns-a/);
    expect(await containerExists('ns-a')).toBe(false);
    const again = await cli(['reset', 'namespaces'], { LEAN_LABS_STATE_DIR: state });
    expect(again.stdout).toContain('left nothing behind');
  });

  it('Ctrl-C mid-step stops, cleans up, and says so', async () => {
    const state = mkdtempSync(join(tmpdir(), 'll-state-'));
    const child = spawn(process.execPath, [CLI, 'verify', 'namespaces'], { cwd: ROOT, env: { ...process.env, LEAN_LABS_STATE_DIR: state } });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d;
        if (stdout.includes('2. Join another')) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(1);
    expect(stderr).toContain('Stopping after the current command and cleaning up');
    expect(await containerExists('ns-a')).toBe(false);
  });

  it('names an unknown lab and lists the known ones', async () => {
    const r = await cli(['verify', 'nosuchlab']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('There is no lab "nosuchlab"');
    expect(r.stderr).toContain('namespaces');
  });

  it('reports a malformed lab given with --labs at file:line, with exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-labs-'));
    mkdirSync(join(dir, 'broken'));
    writeFileSync(join(dir, 'broken', 'lab.md'), '---\nformat: 1\nid: broken\ntitle: T\nsummary: S\nduration: 5m\nlevel: hard\n---\n');
    const r = await cli(['list', '--labs', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\/lab\.md:7: unknown front matter field "level"/);
    expect(r.stderr).not.toContain('    at ');
  });

  it('one malformed lab in a --labs folder does not stop list or verify of the others, and every mistake is shown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-mixed-'));
    const good = readFileSync(join(ROOT, 'test/fixtures/labs/tiny/lab.md'), 'utf8');
    for (const [id, text] of [
      ['tiny', good],
      ['broken-one', good.replace('id: tiny', 'id: broken-one').replace('tiny-one', 'b1-one').replace('title: A tiny lab', 'colour: red')],
      ['broken-two', good.replace('id: tiny', 'id: broken-two').replaceAll('tiny-one', 'b2-one').replace('kind: container', 'kind: teleport')],
    ] as const) {
      mkdirSync(join(dir, id));
      writeFileSync(join(dir, id, 'lab.md'), text);
    }
    const list = await cli(['list', '--labs', dir]);
    expect(list.code).toBe(2);
    expect(list.stdout).toMatch(/^tiny .*A tiny lab\n\n1 lab\. Prove one/);
    expect(list.stderr).toMatch(/Left out 2 labs with mistakes:\n.*broken-one\/lab\.md:\d+: unknown front matter field "colour"[\s\S]*broken-two\/lab\.md:\d+: unknown check kind "teleport"/);
    const verify = await cli(['verify', 'tiny', '--labs', dir]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain('✔ tiny passed');
    const named = await cli(['verify', 'broken-two', '--labs', dir]);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('unknown check kind "teleport"');
  });

  it('each command has its own help, and refuses options it does not take', async () => {
    const help = await cli(['verify', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npx lean-labs verify \[lab\.\.\.\]\n/);
    expect(help.stdout).toContain('--reporter <name>');
    expect(help.stdout).not.toContain('--presenter');
    const wrong = await cli(['verify', 'namespaces', '--presenter']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('`lean-labs verify` does not take --presenter. `npx lean-labs verify --help` lists its options.');
    const global = await cli(['--help']);
    expect(global.stdout).toContain('npx lean-labs <command> --help');
  });

  it('new writes a lab that verifies; verify --watch proves it again on each edit and shows only what changed', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'll-author-')), 'labs');
    const made = await cli(['new', 'my-volumes', '--labs', dir]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain(`Wrote ${join(dir, 'my-volumes', 'lab.md')}`);
    const again = await cli(['new', 'my-volumes', '--labs', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('never writes over a lab');
    const file = join(dir, 'my-volumes', 'lab.md');
    expect(readFileSync(file, 'utf8')).toMatch(/# Every name the lab's commands create/);

    const state = mkdtempSync(join(tmpdir(), 'll-state-'));
    const child = spawn(process.execPath, [CLI, 'verify', 'my-volumes', '--labs', dir, '--watch'], { cwd: ROOT, env: { ...process.env, LEAN_LABS_STATE_DIR: state, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    const until = async (pattern: RegExp, from = 0) => {
      const end = Date.now() + 60_000;
      while (!pattern.test(out.slice(from)) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      expect(out.slice(from), `waited for ${pattern}`).toMatch(pattern);
      return out.length;
    };
    try {
      let at = await until(/3 passed, 0 failed\nWatching/);
      writeFileSync(file, readFileSync(file, 'utf8').replace('  state: running', '  state: exited'));
      at = await until(/lab\.md changed: verifying my-volumes again ──\n  broken ✗ 1\. Start a container › my-volumes-box is running\n[\s\S]*2 passed, 1 failed/, at);
      writeFileSync(file, readFileSync(file, 'utf8').replace('  state: exited', '  state: running'));
      at = await until(/  fixed  ✓ 1\. Start a container › my-volumes-box is running\n3 passed, 0 failed/, at);
      writeFileSync(file, readFileSync(file, 'utf8').replace('- kind: container\n  container: my-volumes-box\n  state: absent', '- kind: containr'));
      await until(/the lab does not parse ──\n.*lab\.md:\d+: unknown check kind "containr"/, at);
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => child.on('close', r));
    }
    expect(await containerExists('my-volumes-box')).toBe(false);
  });

  it('a dead engine gets a message with the fix, not a stack', async () => {
    const r = await cli(['verify', 'namespaces'], { DOCKER_HOST: 'unix:///tmp/no-engine-here.sock' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No Docker engine answers at unix:///tmp/no-engine-here.sock (from DOCKER_HOST): the socket does not exist.');
    // The address came from DOCKER_HOST: installing a local engine would not help.
    expect(r.stderr).toContain('unset DOCKER_HOST to use the local engine');
    expect(r.stderr).not.toContain('engine up');
    const doctor = await cli(['doctor'], { DOCKER_HOST: 'unix:///tmp/no-engine-here.sock' });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain('✗ No Docker engine answers at unix:///tmp/no-engine-here.sock (from DOCKER_HOST): the socket does not exist.');
  });

  it('doctor reports the engine, its kind, image store and cgroup version, the labs that run there, Compose and the CLI agreeing', async () => {
    const r = await cli(['doctor']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/✓ engine answers: Docker \S+, API 1\.\d+/);
    expect(r.stdout).toMatch(/✓ engine kind: Docker Engine\n/);
    expect(r.stdout).toMatch(/✓ the (classic|containerd) image store \(storage driver \S+\), cgroup v[12]\n/);
    expect(r.stdout).toMatch(/✓ all \d+ labs run here\n/);
    expect(r.stdout).toContain('✓ the docker command');
  });

  it('verify --jobs 2 proves two labs side by side and reports them in the order asked, one after the other', async () => {
    const r = await cli(['verify', '--jobs', '2', 'talking', 'first-container']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const talking = r.stdout.indexOf('▶ talking');
    const first = r.stdout.indexOf('▶ first-container');
    expect(talking).toBeGreaterThanOrEqual(0);
    expect(first).toBeGreaterThan(r.stdout.indexOf('✔ talking passed'));
    expect(r.stdout).toContain('✔ first-container passed');
    const bad = await cli(['verify', '--jobs', 'many', 'talking']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--jobs takes a whole number from 1 to 16, not "many". Try --jobs 3.');
  });

  it("the authoring guide's example lab passes verify from another folder (--labs)", async () => {
    const guide = readFileSync(join(ROOT, 'labs/AUTHORING.md'), 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'll-labs-'));
    mkdirSync(join(dir, 'hello-volume'));
    writeFileSync(join(dir, 'hello-volume', 'lab.md'), /````markdown\n([\s\S]*?)\n````/.exec(guide)![1]!);
    const r = await cli(['verify', '--labs', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('5 passed, 0 failed');
    await expect(docker('volume', 'inspect', 'hv-data')).rejects.toThrow();
  });

  it('stops quietly when its reader goes away (| head)', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('bash', ['-c', `node ${CLI} images | head -1 >/dev/null; echo "status \${PIPESTATUS[0]}" >&2`], { cwd: ROOT });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.stderr).not.toContain('EPIPE');
    expect(r.stderr).toContain('status 0');
  });

  it('list shows the bundled labs', async () => {
    const r = await cli(['list']);
    expect(r.stdout).toMatch(/namespaces\s+20 min\s+9 steps\s+Namespaces: what a container can see/);
  });
});
