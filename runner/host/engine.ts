import { UserError } from '../errors.js';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DockerPort } from '../docker/port.js';
import { aptSources, debianCodename, debianMirror } from './apt.js';
import { run, which } from './proc.js';

export const TRIXIE_SOURCES = '/etc/apt/sources.list.d/lean-labs-trixie.sources';
export const TRIXIE_PIN = '/etc/apt/preferences.d/lean-labs-trixie';
const START_TIMEOUT_MS = 60_000;

export interface EngineHost {
  readonly say: (line: string) => void;
  readonly confirm: (question: string) => Promise<boolean>;
  readonly stateDir: string;
}

const pidFile = (state: string) => join(state, 'dockerd.pid');
export const dockerdLog = (state: string) => join(state, 'dockerd.log');

const NEWER_SUITES = /^(trixie|forky|sid|unstable|testing)(-|$)/;

/**
 * The package names to install. Debian 12's own docker.io is 20.10 with Compose v1 only; when the machine's
 * apt sources hold nothing newer, Debian 13 (trixie) is added at a low priority and only docker.io and
 * docker-compose are selected from it (`pkg/trixie`), so apt takes from trixie just the dependencies they need
 * instead of upgrading the whole system toward Debian 13 (which `-t trixie` would do).
 */
export function enginePackages(hasNewerSuite: boolean): string[] {
  return hasNewerSuite ? ['docker.io', 'docker-compose', 'debootstrap'] : ['docker.io/trixie', 'docker-compose/trixie', 'debootstrap'];
}

/** Installs Debian's engine packages. */
export async function installEngine(host: EngineHost): Promise<void> {
  if (!debianCodename() && !existsSync('/etc/debian_version'))
    throw new UserError('lean-labs can install an engine on Debian only. Install Docker Engine for your system (or Docker Desktop), then run `npx lean-labs doctor`.');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const sources = aptSources();
  const hasNewerSuite = sources.some((s) => s.suites.some((x) => NEWER_SUITES.test(x)));
  if (!hasNewerSuite) {
    const mirror = debianMirror(process.env, sources);
    if (!mirror) throw new UserError('No Debian mirror found in /etc/apt. Set LEAN_LABS_DEBIAN_MIRROR to its URL and try again.');
    host.say(`Adding Debian 13 (trixie) at low priority, for docker.io 26 and Compose v2 only (${TRIXIE_SOURCES})`);
    writeFileSync(TRIXIE_SOURCES, `Types: deb\nURIs: ${mirror}\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`);
    writeFileSync(TRIXIE_PIN, 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n');
  }
  host.say('Updating package lists…');
  await run('apt-get', ['update', '-q'], { env });
  host.say('Installing docker.io and docker-compose (about a minute)…');
  let last = 0;
  await run('apt-get', ['install', '-y', '-q', ...enginePackages(hasNewerSuite)], {
    env,
    onLine: (l) => {
      if (/^(Setting up|Unpacking) /.test(l) && Date.now() - last > 2000) {
        last = Date.now();
        host.say(`  ${l.trim()}`);
      }
    },
  });
}

async function waitForEngine(docker: DockerPort, say: (l: string) => void): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let lastSay = Date.now();
  for (;;) {
    try {
      await docker.ping();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() - lastSay > 5000) {
      say('  still waiting for the engine to answer…');
      lastSay = Date.now();
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Starts an engine if none answers: installs it first (with consent), then waits until it answers. */
export async function engineUp(docker: DockerPort, host: EngineHost, opts: { yes: boolean }): Promise<string> {
  try {
    await docker.ping();
    const info = await docker.info();
    return `An engine already answers at ${docker.endpoint} (Docker ${info.serverVersion}). Nothing to do.`;
  } catch {
    // none answers: go on
  }
  if (process.platform !== 'linux') throw new UserError('`engine up` works on Linux only. Start Docker Desktop instead, then run `npx lean-labs doctor`.');
  if (process.getuid?.() !== 0) throw new UserError('`engine up` needs root to install and start the engine: run `sudo npx lean-labs engine up`.');
  if (!(await which('dockerd'))) {
    const ok = opts.yes || (await host.confirm('No Docker engine is installed. Install Debian\'s docker.io and docker-compose packages now?'));
    if (!ok) throw new UserError('Nothing installed. Run `sudo npx lean-labs engine up --yes` to install, or install Docker yourself.');
    await installEngine(host);
  }
  const dockerd = (await which('dockerd')) ?? 'dockerd';
  mkdirSync(host.stateDir, { recursive: true });
  const log = openSync(dockerdLog(host.stateDir), 'a');
  host.say(`Starting ${dockerd} (log: ${dockerdLog(host.stateDir)})…`);
  const t0 = Date.now();
  const child = spawn(dockerd, [], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  if (child.pid) writeFileSync(pidFile(host.stateDir), String(child.pid));
  try {
    await waitForEngine(docker, host.say);
  } catch {
    throw new UserError(`The engine did not answer within ${START_TIMEOUT_MS / 1000} s. Its log says why: ${dockerdLog(host.stateDir)}`);
  }
  const info = await docker.info();
  return `Engine up at ${docker.endpoint} in ${((Date.now() - t0) / 1000).toFixed(1)} s (Docker ${info.serverVersion}, API ${info.apiVersion}, cgroup v${info.cgroupVersion}).\nStop it with \`npx lean-labs engine down\`.`;
}

/** Stops the engine `engine up` started, and only that one. */
export async function engineDown(host: EngineHost): Promise<string> {
  const file = pidFile(host.stateDir);
  if (!existsSync(file)) return 'lean-labs did not start the running engine (if any), so it leaves it alone. Stop it the way it was started.';
  const pid = Number(readFileSync(file, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    rmSync(file, { force: true });
    return `The engine lean-labs started (pid ${pid}) is no longer running.`;
  }
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
      await new Promise((r) => setTimeout(r, 200));
    } catch {
      rmSync(file, { force: true });
      return `Engine stopped (pid ${pid}). Containers and images stay on disk for the next \`engine up\`.`;
    }
  }
  throw new UserError(`The engine (pid ${pid}) did not stop within 20 s; see ${dockerdLog(host.stateDir)}.`);
}
