/**
 * `lean-labs class up`: on a swarm manager, makes (or resumes) a class: the lab images and the class image, the
 * images file sandboxes load, the class's records, the class server in the background, and one sandbox per learner
 * plus warm spares, showing them come up.
 */
import { createWriteStream, existsSync, mkdirSync, openSync, closeSync, renameSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DockerAdapter } from '../../runner/docker/adapter.js';
import { SwarmAdapter } from '../../runner/docker/swarm.js';
import type { CliContext } from '../../runner/commands/cli-context.js';
import { HELPER_IMAGE, imageProgress } from '../../runner/commands/context.js';
import { writeFileAtomic } from '../../runner/atomic-file.js';
import { UserError } from '../../runner/errors.js';
import { plural } from '../../runner/text/plural.js';
import { identify, processStart } from '../../runner/host/process-identity.js';
import { startDaemon } from '../../runner/host/run.js';
import { buildOrder, loadCatalog } from '../../runner/images/catalog.js';
import { ensureImages } from '../../runner/images/ensure.js';
import { readLabSet } from '../../runner/lab/load.js';
import { imagesDir } from '../../runner/paths.js';
import {
  checkClassName,
  classDir,
  classImageCommand,
  learnersOnLoopback,
  dashboardUrl,
  dbFile,
  imagesTar,
  readConfig,
  serverLog,
  serverPid,
  setAsideEnded,
  writeConfig,
  type ClassConfig,
} from '../class-files.js';
import { ensureClassImage, pruneClassImages } from '../class-image.js';
import { CLASS_LABEL, classLabels, parseBytes, sandboxId } from '../sandbox-spec.js';
import { newJoinCode, newToken } from '../server/server.js';
import { DEFAULT_STUCK_AFTER_MINUTES } from '../protocol.js';
import { ClassStore } from '../server/store.js';
import type { ClassStatus } from '../protocol.js';
import { instructorGet, serverAnswers } from './instructor-api.js';
import { runningServer } from './server-process.js';
import { statusTable } from './status.js';

export interface UpOptions {
  readonly name: string;
  readonly learners?: string;
  readonly reserve?: string;
  readonly labs?: string;
  readonly memory?: string;
  readonly reservation?: string;
  readonly port?: string;
  readonly advertiseAddr?: string;
  /** Minutes without progress before the dashboard marks a learner stuck. */
  readonly stuckAfter?: string;
  readonly wait?: boolean;
}

export const DEFAULT_PORT = 7420;

function count(text: string | undefined, what: string, min: number, max: number, fallback?: number): number {
  if (text === undefined) {
    if (fallback === undefined) throw new UserError(`Say how many ${what}: e.g. --learners 30.`);
    return fallback;
  }
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UserError(`--${what} takes a whole number from ${min} to ${max}, not "${text}".`);
  return n;
}

/**
 * The address learners are given: the swarm's own. A swarm that speaks on loopback (a class on one machine, or a
 * test) gives 127.0.0.1; other machines then need `--advertise-addr <ip>` at `swarm init` time.
 */
export function learnerHost(nodeAddr: string): string {
  return nodeAddr && !nodeAddr.startsWith('127.') ? nodeAddr : '127.0.0.1';
}

async function ensureSwarm(ctx: CliContext, swarm: SwarmAdapter, advertiseAddr: string | undefined): Promise<string> {
  let info = await swarm.info();
  if (info.state === 'inactive') {
    ctx.out('This engine is not part of a swarm. A class places its sandboxes with Docker Swarm, so lean-labs would run\n');
    ctx.out(`  docker swarm init${advertiseAddr ? ` --advertise-addr ${advertiseAddr}` : ''}\n`);
    ctx.out('making this engine the manager of a one-node swarm (other machines can join later; `docker swarm leave --force` undoes it).\n');
    if (!ctx.yes && !(await ctx.confirm('Start a swarm here?'))) throw new UserError('No swarm, no class. Run `docker swarm init` yourself, or `npx lean-labs class up --yes` to let lean-labs do it.');
    try {
      await swarm.init(advertiseAddr);
    } catch (err) {
      const m = (err as Error).message;
      if (/advertise|could not choose an IP/i.test(m))
        throw new UserError(`Docker could not pick the address other machines reach this one on (${m.split('\n')[0]}).\n  Name it: npx lean-labs class up --advertise-addr <this machine's IP> …`);
      throw err;
    }
    info = await swarm.info();
    ctx.out(`Swarm started; this engine is its manager (${info.nodeAddr}).\n`);
  }
  if (info.state !== 'active') throw new UserError(`This engine's swarm is ${info.state}: fix that first (\`docker info\` says more).`);
  if (!info.isManager) throw new UserError('This engine is a swarm worker: run `class up` on a manager (`docker node ls` works there).');
  return info.nodeAddr;
}

export async function runClassUp(ctx: CliContext, o: UpOptions): Promise<number> {
  const name = checkClassName(o.name);
  const docker = new DockerAdapter();
  await docker.ping();
  const swarm = new SwarmAdapter(docker);
  let existing = readConfig(ctx.stateDir, name);
  const services = await swarm.services(classLabels(name)).catch(() => []);
  const others = async () => {
    const info = await swarm.info();
    return (await swarm.nodes()).filter((n) => n.id !== info.nodeId).map((n) => n.hostname);
  };
  if (existing && !existing.endedAt && !existing.machineToken) {
    // Made by an earlier lean-labs: it gets the token machines fetch the class image with (read by its next server).
    existing = { ...existing, machineToken: newToken() };
    writeConfig(ctx.stateDir, existing);
  }
  if (existing && !existing.endedAt) {
    // A class that exists is resumed, never made twice: its server is started again if it stopped.
    if (await serverAnswers(existing.port)) {
      ctx.out(`Class "${name}" is already running (${services.length} sandboxes).\n`);
      return showClass(ctx, existing, o.wait ?? true, others);
    }
    ctx.out(`Class "${name}" exists and its server had stopped: starting it again (its records and sandboxes are kept; size options given now are ignored).\n`);
    await startServer(ctx, existing);
    return showClass(ctx, existing, o.wait ?? true, others);
  }
  if (services.length)
    throw new UserError(
      `Swarm already runs ${services.length} sandboxes labelled for a class "${name}" that this machine has no records of. Remove them with \`npx lean-labs class down --name ${name}\`, or pick another --name.`,
    );
  const learners = count(o.learners, 'learners', 1, 500);
  const stuckAfterMinutes = count(o.stuckAfter, 'stuck-after', 1, 240, DEFAULT_STUCK_AFTER_MINUTES);
  const reserve = count(o.reserve, 'reserve', 0, 100, Math.min(3, Math.ceil(learners / 10)));
  const memoryBytes = o.memory ? parseBytes(o.memory) : 2 * 1024 ** 3;
  if (!memoryBytes || memoryBytes < 256 * 1024 ** 2) throw new UserError(`--memory takes a size of at least 256m, like 2g or 1536m, not "${o.memory}".`);
  // Swarm places a sandbox only where this much memory is unreserved: that spreads a class over the nodes.
  const reservationBytes = o.reservation ? parseBytes(o.reservation) : Math.min(memoryBytes, 512 * 1024 ** 2);
  if (!reservationBytes || reservationBytes > memoryBytes) throw new UserError(`--reservation takes a size no larger than the memory limit (${o.memory ?? '2g'}), like 512m, not "${o.reservation}".`);
  const port = count(o.port, 'port', 1, 65535, DEFAULT_PORT);
  const nodeAddr = await ensureSwarm(ctx, swarm, o.advertiseAddr);

  const { labs: all } = readLabSet(ctx.labsDir);
  const wanted = o.labs
    ? o.labs
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : all.map((l) => l.id);
  const unknown = wanted.filter((id) => !all.some((l) => l.id === id));
  if (unknown.length) throw new UserError(`No lab named ${unknown.join(', ')}. The labs: ${all.map((l) => l.id).join(', ')}.`);
  const labs = all.filter((l) => wanted.includes(l.id));

  // The images the class's labs need, then the class image: all built here, on the manager, once.
  const catalog = loadCatalog(imagesDir());
  const labImages = [...new Set([HELPER_IMAGE, ...labs.flatMap((l) => l.images)])];
  const toEnsure = [...labImages, 'sandbox'];
  const progress = await imageProgress(
    buildOrder(catalog, toEnsure).map((d) => d.name),
    (l) => ctx.out(`${l}\n`),
    ctx.live,
  );
  try {
    await ensureImages(docker, catalog, toEnsure, { allowInstall: ctx.yes, onEvent: (e) => progress.onEvent(e) });
  } finally {
    progress.finish();
  }
  const image = await ensureClassImage(docker, catalog.get('sandbox')!.tag, (l) => ctx.out(`${l}\n`));
  // Each version of lean-labs builds its own class image: the earlier ones go, unless a class still runs one.
  const named = (await swarm.services({ [CLASS_LABEL]: '' }).catch(() => [])).map((s) => s.image);
  const pruned = await pruneClassImages(docker, image, named);
  if (pruned.length) ctx.out(`Removed ${plural(pruned.length, 'class image')} of earlier lean-labs versions (no class uses them): ${pruned.join(', ')}\n`);

  if (existing?.endedAt) ctx.out(`The records of the earlier class "${name}" were moved to ${setAsideEnded(ctx.stateDir, existing)}.\n`);
  const dir = classDir(ctx.stateDir, name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Sandboxes load the lab images from one file the server sends (there is no registry to pull from).
  // Both tags of each: the version the runner looks for, and `latest`, which learners type.
  const tags = buildOrder(catalog, labImages).flatMap((d) => [d.tag, d.latest]);
  const t0 = Date.now();
  ctx.out(`Saving ${tags.length / 2} lab images for the sandboxes…\n`);
  const tmp = `${imagesTar(dir)}.tmp`;
  await pipeline(await docker.saveImages(tags), createWriteStream(tmp));
  renameSync(tmp, imagesTar(dir));
  ctx.out(`  ${(statSync(imagesTar(dir)).size / 1024 ** 2).toFixed(0)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);

  const host = learnerHost(nodeAddr);
  const sandboxHost = nodeAddr && !nodeAddr.startsWith('127.') ? nodeAddr : ((await swarm.bridgeGateway()) ?? host);
  const config: ClassConfig = {
    name,
    learners,
    reserve,
    labs: labs.map((l) => l.id),
    memoryBytes,
    reservationBytes,
    pids: 4096,
    port,
    url: `http://${host}:${port}`,
    sandboxUrl: `http://${sandboxHost}:${port}`,
    image,
    joinCode: newJoinCode(),
    instructorToken: newToken(),
    machineToken: newToken(),
    stuckAfterMinutes,
    createdAt: Date.now(),
  };
  writeConfig(ctx.stateDir, config);
  const store = await ClassStore.open(dbFile(dir));
  for (let slot = 1; slot <= learners + reserve; slot++) {
    const id = sandboxId(name, slot);
    store.addSandbox({ id, slot, service: id, token: newToken() });
  }
  store.close();
  await startServer(ctx, config);
  return showClass(ctx, config, o.wait ?? true, others);
}

async function startServer(ctx: CliContext, config: ClassConfig): Promise<void> {
  const dir = classDir(ctx.stateDir, config.name);
  const running = runningServer(dir);
  if (running) throw new UserError(`The server of class "${config.name}" runs (pid ${running}) but does not answer on port ${config.port}: see ${serverLog(dir)}.`);
  const log = openSync(serverLog(dir), 'a');
  const pid = await startDaemon(process.execPath, [process.argv[1]!, 'class', 'serve', '--name', config.name], log);
  closeSync(log);
  if (!pid) throw new UserError('The class server could not be started.');
  // The program is named, not read: at this instant the pid may still be the shell that is about to exec node.
  writeFileAtomic(serverPid(dir), JSON.stringify({ pid, start: processStart(pid), program: basename(process.execPath) }));
  for (let i = 0; i < 100; i++) {
    if (await serverAnswers(config.port)) return;
    if (!identify(pid)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new UserError(
    `The class server did not come up on port ${config.port}${existsSync(serverLog(dir)) ? `; its log says why: ${serverLog(dir)}` : ''}. Is the port taken? Choose another with --port.`,
  );
}

/** Prints how to join, then follows the sandboxes coming up until all are up or failed (Ctrl-C stops watching only). */
async function showClass(ctx: CliContext, config: ClassConfig, wait: boolean, otherNodes: () => Promise<string[]>): Promise<number> {
  ctx.out(
    `\nClass "${config.name}" for ${config.learners} learners (+${config.reserve} spare sandboxes), labs: ${config.labs.join(', ')}\n` +
      `  Learners open:  ${config.url}/  in a browser, or run: npx lean-labs class join ${config.url}\n` +
      `  Join code:      ${config.joinCode}\n` +
      `  Dashboard:      ${dashboardUrl(config)}  (instructor only: the address holds your token)\n` +
      `  Status:         npx lean-labs class status --name ${config.name}\n` +
      `  End the class:  npx lean-labs class down --name ${config.name}\n` +
      (learnersOnLoopback(config) ? '' : `  More machines:  npx lean-labs class add-machine --name ${config.name}\n`) +
      '\n',
  );
  const others = await otherNodes();
  if (others.length)
    ctx.out(
      `This swarm has ${plural(others.length, 'other node')} (${others.join(', ')}). Sandboxes start there only once that machine has the class image: on each, run\n` +
        `  ${classImageCommand(config)}\n` +
        '(until then Swarm places them elsewhere or shows why in `class status`).\n\n',
    );
  if (!wait) return 0;
  const t0 = Date.now();
  let last = '';
  for (;;) {
    const status = (await (await instructorGet(ctx.stateDir, config, '/api/instructor/status')).json()) as ClassStatus;
    const n = (st: string) => status.rows.filter((r) => r.state === st).length;
    const up = n('ready') + n('claimed');
    // A sandbox is ready for its learner when its engine answers; its lab images may still be on their way in.
    const loading = status.rows.filter((r) => (r.state === 'ready' || r.state === 'claimed') && r.message).length;
    const line = `Sandboxes: ${up} ready${loading ? ` (${loading} still loading lab images)` : ''}, ${n('pending') + n('restarting')} starting, ${n('failed')} failed (${Math.round((Date.now() - t0) / 1000)} s)`;
    if (line !== last) {
      if (ctx.live) ctx.out(`\r\u001b[2K${line}`);
      else if (line.replace(/\(\d+ s\)/, '') !== last.replace(/\(\d+ s\)/, '')) ctx.out(`${line}\n`);
      last = line;
    }
    if (n('pending') + n('restarting') === 0 && (loading === 0 || n('failed'))) {
      if (ctx.live) ctx.out('\n');
      if (n('failed')) {
        ctx.out(`\n${statusTable(status, Date.now())}\n`);
        return 1;
      }
      ctx.out(`All ${up} sandboxes are ready in ${((Date.now() - t0) / 1000).toFixed(1)} s.\n`);
      return 0;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
