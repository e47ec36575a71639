import { UserError } from '../errors.js';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { DockerPort } from '../docker/port.js';
import { writeFileAtomic } from '../atomic-file.js';
import { aptSources, debianCodename, debianMirror } from './apt.js';
import { addedPackages, forgetHostChanges, hostChangesFile, installedFrom, readHostChanges, recordHostChanges } from './host-changes.js';
import { identify, processAlive, processStart } from './process-identity.js';
import { mustRun, startDaemon, which } from './run.js';

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

/** What installing the engine will change on this system, one line per change, for the learner to agree to. */
export interface InstallPlan {
  readonly hasNewerSuite: boolean;
  readonly mirror?: string;
  readonly packages: readonly string[];
}

export function planInstall(env: NodeJS.ProcessEnv = process.env): InstallPlan {
  if (!debianCodename() && !existsSync('/etc/debian_version'))
    throw new UserError('lean-labs can install an engine on Debian only. Install Docker Engine for your system (or Docker Desktop), then run `npx lean-labs doctor`.');
  const sources = aptSources();
  const hasNewerSuite = sources.some((s) => s.suites.some((x) => NEWER_SUITES.test(x)));
  const mirror = hasNewerSuite ? undefined : debianMirror(env, sources);
  if (!hasNewerSuite && !mirror) throw new UserError('No Debian mirror found in /etc/apt. Set LEAN_LABS_DEBIAN_MIRROR to its URL and try again.');
  return { hasNewerSuite, mirror, packages: enginePackages(hasNewerSuite) };
}

export function planLines(plan: InstallPlan, stateDir: string): string[] {
  return [
    ...(plan.hasNewerSuite
      ? []
      : [
          `write ${TRIXIE_SOURCES}: Debian 13 (trixie) from ${plan.mirror}, for docker.io 26 and Compose v2`,
          `write ${TRIXIE_PIN}: trixie at priority 100, so nothing else on this system moves to Debian 13`,
        ]),
    'run apt-get update',
    `install ${plan.packages.map((p) => p.replace(/\/trixie$/, '')).join(', ')}, with the dependencies apt chooses (about 100 MB)`,
    `start dockerd as root in the background (it keeps its data in /var/lib/docker and adds the docker0 bridge and firewall rules; log: ${dockerdLog(stateDir)})`,
    `record these changes in ${hostChangesFile(stateDir)}: \`npx lean-labs engine down --purge\` undoes them`,
  ];
}

async function installedPackages(): Promise<Set<string>> {
  return installedFrom(await mustRun('dpkg-query', ['-W', '-f', '${Package}\t${db:Status-Status}\n']).catch(() => ''));
}

/** Installs Debian's engine packages as planned, and records every change so `engine down --purge` can undo it. */
export async function installEngine(host: EngineHost, plan: InstallPlan): Promise<void> {
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const before = await installedPackages();
  if (!plan.hasNewerSuite) {
    host.say(`Adding Debian 13 (trixie) at low priority, for docker.io 26 and Compose v2 only (${TRIXIE_SOURCES})`);
    // Atomically: a half-written apt source would break every apt-get on the system.
    writeFileAtomic(TRIXIE_SOURCES, `Types: deb\nURIs: ${plan.mirror}\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`);
    writeFileAtomic(TRIXIE_PIN, 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n');
    recordHostChanges(host.stateDir, { files: [TRIXIE_SOURCES, TRIXIE_PIN], packages: [] });
  }
  host.say('Updating package lists…');
  await mustRun('apt-get', ['update', '-q'], { env });
  host.say('Installing docker.io and docker-compose (about a minute)…');
  let last = 0;
  try {
    await mustRun('apt-get', ['install', '-y', '-q', ...plan.packages], {
      env,
      onLine: (l) => {
        if (/^(Setting up|Unpacking) /.test(l) && Date.now() - last > 2000) {
          last = Date.now();
          host.say(`  ${l.trim()}`);
        }
      },
    });
  } finally {
    // Even a failed install may have added some packages: they are recorded too.
    const added = addedPackages(before, await installedPackages());
    recordHostChanges(host.stateDir, { files: [], packages: added });
    if (added.length) host.say(`  installed ${added.length} packages (recorded for \`engine down --purge\`)`);
  }
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
    const plan = planInstall();
    host.say('No Docker engine is installed. Installing one makes these changes to this system:');
    for (const line of planLines(plan, host.stateDir)) host.say(`  - ${line}`);
    const ok = opts.yes || (await host.confirm('Make these changes now?'));
    if (!ok) throw new UserError('Nothing changed. Run `sudo npx lean-labs engine up --yes` to install, or install Docker yourself.');
    await installEngine(host, plan);
  }
  const dockerd = (await which('dockerd')) ?? 'dockerd';
  mkdirSync(host.stateDir, { recursive: true });
  const log = openSync(dockerdLog(host.stateDir), 'a');
  host.say(`Starting ${dockerd} (log: ${dockerdLog(host.stateDir)})…`);
  const t0 = Date.now();
  const pid = await startDaemon(dockerd, [], log);
  closeSync(log);
  // Who it is, not only its number: `engine down` signals it only if that pid is still this dockerd.
  // Its start time is read now, and stays when the shell that started it execs into dockerd.
  if (pid) writeFileAtomic(pidFile(host.stateDir), JSON.stringify({ pid, start: processStart(pid), program: basename(dockerd) }));
  try {
    await waitForEngine(docker, host.say);
  } catch {
    throw new UserError(`The engine did not answer within ${START_TIMEOUT_MS / 1000} s. Its log says why: ${dockerdLog(host.stateDir)}`);
  }
  const info = await docker.info();
  return `Engine up at ${docker.endpoint} in ${((Date.now() - t0) / 1000).toFixed(1)} s (Docker ${info.serverVersion}, API ${info.apiVersion}, cgroup v${info.cgroupVersion}).\nStop it with \`npx lean-labs engine down\`.`;
}

export interface PidRecord {
  readonly pid: number;
  readonly start?: string;
  readonly program?: string;
}

export function readPidRecord(file: string): PidRecord | undefined {
  const text = readFileSync(file, 'utf8').trim();
  // Earlier versions wrote the bare number.
  if (/^\d+$/.test(text)) return { pid: Number(text) };
  try {
    const r = JSON.parse(text) as PidRecord;
    return Number.isInteger(r.pid) && r.pid > 0 ? r : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the recorded pid is still the dockerd `engine up` started: the same program and, when recorded, the same
 * start time. After a crash or a reboot the number may belong to an unrelated process, which is never signalled.
 */
export function stillOurs(record: PidRecord, now = identify(record.pid)): { ours: boolean; why?: string } {
  if (!now) return { ours: false, why: `pid ${record.pid} is not running` };
  const program = record.program ?? 'dockerd';
  if (now.program !== program) return { ours: false, why: `pid ${record.pid} is now ${now.program}, not the ${program} lean-labs started` };
  if (record.start !== undefined && now.start !== record.start) return { ours: false, why: `pid ${record.pid} is a ${program} started later, not the one lean-labs started` };
  return { ours: true };
}

/** Stops the engine `engine up` started, and only that one; with purge, also undoes what `engine up` installed. */
export async function engineDown(host: EngineHost, opts: { purge?: boolean; yes?: boolean } = {}): Promise<string> {
  const stopped = await stopOurEngine(host);
  if (!opts.purge) return stopped;
  return `${stopped}\n${await purgeHostChanges(host, opts.yes ?? false)}`;
}

async function stopOurEngine(host: EngineHost): Promise<string> {
  const file = pidFile(host.stateDir);
  if (!existsSync(file)) return 'lean-labs did not start the running engine (if any), so it leaves it alone. Stop it the way it was started.';
  const record = readPidRecord(file);
  const verdict = record ? stillOurs(record) : { ours: false, why: `${file} holds no pid` };
  if (!record || !verdict.ours) {
    rmSync(file, { force: true });
    return `The engine lean-labs started is no longer running (${verdict.why}); nothing was signalled.`;
  }
  const { pid } = record;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    rmSync(file, { force: true });
    return `The engine lean-labs started (pid ${pid}) is no longer running.`;
  }
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && processAlive(pid) && stillOurs(record).ours) await new Promise((r) => setTimeout(r, 200));
  if (processAlive(pid) && stillOurs(record).ours) throw new UserError(`The engine (pid ${pid}) did not stop within 20 s; see ${dockerdLog(host.stateDir)}.`);
  rmSync(file, { force: true });
  return `Engine stopped (pid ${pid}). Containers and images stay on disk for the next \`engine up\`.`;
}

/** Undoes what `engine up` recorded: removes the packages it added (only those) and the apt files it wrote. */
async function purgeHostChanges(host: EngineHost, yes: boolean): Promise<string> {
  const changes = readHostChanges(host.stateDir);
  if (!changes || (!changes.files.length && !changes.packages.length)) return 'lean-labs installed nothing on this system (no record of changes), so there is nothing to purge.';
  if (process.getuid?.() !== 0) throw new UserError('Purging needs root to remove packages: run `sudo npx lean-labs engine down --purge`.');
  host.say('Undoing what `engine up` changed on this system:');
  if (changes.packages.length) host.say(`  - remove the ${changes.packages.length} packages it installed: ${changes.packages.join(', ')}`);
  for (const f of changes.files) host.say(`  - delete ${f}`);
  if (!yes && !(await host.confirm('Go ahead?'))) throw new UserError('Nothing removed. `npx lean-labs engine down --purge --yes` does it without asking.');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (changes.packages.length) {
    host.say('Removing packages…');
    await mustRun('apt-get', ['purge', '-y', '-q', ...changes.packages], { env });
  }
  for (const f of changes.files) rmSync(f, { force: true });
  if (changes.files.length) await mustRun('apt-get', ['update', '-q'], { env }).catch(() => '');
  forgetHostChanges(host.stateDir);
  return `Removed ${changes.packages.length} packages and ${changes.files.length} apt files. The engine's data in /var/lib/docker was kept: delete that folder to get its space back.`;
}
