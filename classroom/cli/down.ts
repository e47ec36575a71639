/**
 * `lean-labs class down`: ends a class. Stops its server, then removes from Swarm everything labelled with the
 * class (its services, and with them their tasks; then its networks, secrets and volumes) and nothing else, and
 * says what went. The class's records stay on the manager, so `class export` still gives the results.
 */
import type { CliContext } from '../../runner/commands/cli-context.js';
import { DockerAdapter } from '../../runner/docker/adapter.js';
import { SwarmAdapter } from '../../runner/docker/swarm.js';
import { UserError } from '../../runner/errors.js';
import { nameList, plural } from '../../runner/text/plural.js';
import { checkClassName, classDir, readConfig, writeConfig } from '../class-files.js';
import { classLabels, ROLE_LABEL } from '../sandbox-spec.js';
import { removeAll } from './remove-retrying.js';
import { stopServer } from './server-process.js';
import { handRemoveCommand, sweepOtherNodes } from './sweep.js';

export async function runClassDown(ctx: CliContext, rawName: string): Promise<number> {
  const name = checkClassName(rawName);
  const config = readConfig(ctx.stateDir, name);
  const docker = new DockerAdapter();
  await docker.ping();
  const swarm = new SwarmAdapter(docker);
  const info = await swarm.info();
  const labels = classLabels(name);
  const inSwarm = info.state === 'active' && info.isManager;
  const services = inSwarm ? await swarm.services(labels) : [];
  if (!config && services.length === 0)
    throw new UserError(`There is no class named "${name}": this machine has no records of it and nothing on this swarm carries the label lean-labs.class=${name}. Nothing was touched.`);
  if (config?.endedAt && services.length === 0) {
    ctx.out(`Class "${name}" already ended; nothing of it is left on this swarm. Its results: \`npx lean-labs class export --name ${name}\`.\n`);
    return 0;
  }
  const lines: string[] = [];
  if (config) lines.push(`Class "${name}": ${await stopServer(classDir(ctx.stateDir, name))}.`);
  const deadline = Date.now() + 90_000;
  for (const s of services) await swarm.removeService(s.id);
  const sandboxes = services.filter((s) => !s.labels[ROLE_LABEL]);
  if (sandboxes.length) lines.push(`  removed ${plural(sandboxes.length, 'sandbox service')}: ${nameList(sandboxes.map((s) => s.name))}`);
  if (sandboxes.length < services.length)
    lines.push(`  removed ${plural(services.length - sandboxes.length, 'helper service')} of an earlier \`class down\`: ${nameList(services.filter((s) => s.labels[ROLE_LABEL]).map((s) => s.name))}`);
  // The tasks' containers go in the background: networks, secrets and volumes are free once they are gone.
  const networks = await removeAll(await swarm.networks(labels), (id) => swarm.removeNetwork(id), deadline);
  const secrets = await removeAll(await swarm.secrets(labels), (id) => swarm.removeSecret(id), deadline);
  const volumes = await removeAll(
    (await swarm.volumes(labels)).map((v) => ({ id: v, name: v })),
    (id) => swarm.removeVolume(id),
    deadline,
  );
  for (const [what, r] of [
    ['network', networks],
    ['secret', secrets],
    ['volume', volumes],
  ] as const) {
    if (r.removed.length) lines.push(`  removed ${plural(r.removed.length, what)}: ${nameList(r.removed)}`);
    if (r.left.length) lines.push(`  could not remove ${plural(r.left.length, what)} (still in use after 90 s): ${nameList(r.left)}; run \`npx lean-labs class down --name ${name}\` again`);
  }
  // The other nodes' volumes: a job on each removes them there (a node that never ran a sandbox has nothing of it).
  let elsewhere = { lines: [] as string[], complete: true };
  const image = config?.image ?? sandboxes.find((s) => s.image)?.image;
  if (inSwarm && info.nodes > 1 && image) {
    ctx.out(`Removing the class's volumes on the other ${plural(info.nodes - 1, 'node')} too (a job on each; up to 2.5 min)…\n`);
    elsewhere = await sweepOtherNodes(swarm, name, image, info.nodeId).catch((err: Error) => ({
      lines: [`  could not run the removal on the other nodes (${err.message.split('\n')[0]}): on each, ${handRemoveCommand(name)}`],
      complete: false,
    }));
    lines.push(...elsewhere.lines);
  }
  if (config) {
    writeConfig(ctx.stateDir, { ...config, endedAt: Date.now() });
    lines.push(`  its records stay in ${classDir(ctx.stateDir, name)}: \`npx lean-labs class export --name ${name}\` gives the results.`);
  }
  lines.push("Nothing without the class's label was touched.");
  ctx.out(`${lines.join('\n')}\n`);
  return networks.left.length + secrets.left.length + volumes.left.length || !elsewhere.complete ? 1 : 0;
}
