/**
 * The class's volumes on the swarm's other nodes. A volume lives on the node its sandbox ran on, and the manager's
 * engine cannot reach another node's: `class down` runs a Swarm job there (`sweepService`) whose task, given that
 * node's engine socket, runs `lean-labs class sweep` to remove the volumes labelled with the class, and reports.
 */
import { DockerAdapter } from '../../runner/docker/adapter.js';
import { SwarmAdapter } from '../../runner/docker/swarm.js';
import type { SwarmNode, SwarmTask } from '../../runner/docker/swarm-port.js';
import { nameList, plural } from '../../runner/text/plural.js';
import { classLabels, sweepService } from '../sandbox-spec.js';
import { lacksImage } from '../server/sandbox-keeper.js';
import { removeAll } from './remove-retrying.js';

/** What one node's sweep printed. */
export interface SweepReport {
  readonly sweep: string;
  readonly node: string;
  readonly removed: readonly string[];
  readonly left: readonly string[];
}

const VOLUME_WAIT_MS = 90_000;
/** How long `class down` waits for every node's sweep (a node must first stop the class's containers). */
const SWEEP_WAIT_MS = 150_000;
const DONE = new Set(['complete', 'failed', 'rejected', 'shutdown', 'orphaned', 'remove']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What to run by hand on a node to remove the class's volumes there. */
export const handRemoveCommand = (name: string): string => `\`docker volume rm $(docker volume ls -q --filter label=lean-labs.class=${name})\``;

/** Node side (`class sweep --name N`, in the job's task): removes the class's volumes on this engine. */
export async function runClassSweep(name: string, out: (s: string) => void): Promise<number> {
  const docker = new DockerAdapter();
  await docker.ping();
  const swarm = new SwarmAdapter(docker);
  const node = (await docker.docker.info()).Name ?? '';
  const volumes = await swarm.volumes(classLabels(name));
  const r = await removeAll(
    volumes.map((v) => ({ id: v, name: v })),
    (id) => swarm.removeVolume(id),
    Date.now() + VOLUME_WAIT_MS,
  );
  const report: SweepReport = { sweep: name, node, removed: r.removed, left: r.left };
  out(`${JSON.stringify(report)}\n`);
  return r.left.length ? 1 : 0;
}

/** The reports among a job's log lines (lines that are not one are ignored). */
export function sweepReports(lines: readonly string[], name: string): SweepReport[] {
  const reports: SweepReport[] = [];
  for (const line of lines) {
    const at = line.indexOf('{"sweep"');
    if (at < 0) continue;
    try {
      const r = JSON.parse(line.slice(at)) as SweepReport;
      if (r.sweep === name && Array.isArray(r.removed) && Array.isArray(r.left)) reports.push(r);
    } catch {
      // a line cut short: that node is reported as not having answered
    }
  }
  return reports;
}

/**
 * What to tell the instructor, node by node (pure): what each sweep removed, and for a node that did not report,
 * why as far as Swarm knows and the command to run there.
 */
export function sweepLines(name: string, others: readonly SwarmNode[], tasks: readonly SwarmTask[], reports: readonly SweepReport[]): { lines: string[]; complete: boolean } {
  const byHost = new Map(reports.map((r) => [r.node, r]));
  const handRemove = handRemoveCommand(name);
  const lines: string[] = [];
  let complete = true;
  for (const n of [...others].sort((a, b) => a.hostname.localeCompare(b.hostname))) {
    const r = byHost.get(n.hostname);
    const task = tasks.filter((t) => t.nodeId === n.id).sort((a, b) => b.updatedAt - a.updatedAt)[0];
    if (r) {
      if (r.removed.length) lines.push(`  on ${n.hostname}: removed ${plural(r.removed.length, 'volume')}: ${nameList(r.removed)}`);
      if (r.left.length) {
        complete = false;
        lines.push(`  on ${n.hostname}: could not remove ${plural(r.left.length, 'volume')} (still in use): ${nameList(r.left)}; on it, ${handRemove}`);
      }
      continue;
    }
    const why = task?.error || task?.message || '';
    if (lacksImage(why)) continue; // a node without the class image never ran a sandbox: nothing of the class is there
    complete = false;
    const state = n.state !== 'ready' ? `is ${n.state}` : n.availability !== 'active' ? `is ${n.availability}` : task ? `did not finish (${why || task.state})` : 'was not reached';
    lines.push(`  ${n.hostname} ${state}: the class's volumes there, if any, are left; on it, ${handRemove}`);
  }
  return { lines, complete };
}

/** Manager side: runs the sweep on every other node, waits for it, removes the job, and says what went where. */
export async function sweepOtherNodes(swarm: SwarmAdapter, name: string, image: string, selfNodeId: string): Promise<{ lines: string[]; complete: boolean }> {
  const others = (await swarm.nodes()).filter((n) => n.id !== selfNodeId);
  if (!others.length) return { lines: [], complete: true };
  const reachable = others.filter((n) => n.state === 'ready' && n.availability === 'active');
  const id = await swarm.createService(sweepService(name, image, selfNodeId));
  let tasks: SwarmTask[] = [];
  try {
    const deadline = Date.now() + SWEEP_WAIT_MS;
    for (;;) {
      tasks = await swarm.tasks([id]);
      const finished = reachable.every((n) => tasks.some((t) => t.nodeId === n.id && DONE.has(t.state)));
      if (finished || Date.now() > deadline) break;
      await sleep(1000);
    }
    const reports = sweepReports(await swarm.serviceLogs(id).catch(() => []), name);
    return sweepLines(name, others, tasks, reports);
  } finally {
    await swarm.removeService(id);
  }
}
