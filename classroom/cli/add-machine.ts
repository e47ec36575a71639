/**
 * `lean-labs class add-machine`: what to run on another machine so it takes sandboxes of this class: fetch the
 * class image from the class server (there is no registry to pull it from) and join the swarm.
 */
import type { CliContext } from '../../runner/commands/cli-context.js';
import { DockerAdapter } from '../../runner/docker/adapter.js';
import { SwarmAdapter } from '../../runner/docker/swarm.js';
import { UserError } from '../../runner/errors.js';
import { checkClassName, classImageCommand, learnersOnLoopback, readConfig } from '../class-files.js';

export async function runClassAddMachine(ctx: CliContext, rawName: string): Promise<number> {
  const name = checkClassName(rawName);
  const config = readConfig(ctx.stateDir, name);
  if (!config) throw new UserError(`There is no class named "${name}" on this machine: \`npx lean-labs class up --name ${name} --learners N\` makes one.`);
  if (config.endedAt) throw new UserError(`Class "${name}" has ended: \`npx lean-labs class up --name ${name} --learners N\` starts a new one.`);
  if (!config.machineToken)
    throw new UserError(
      `Class "${name}" was made by an earlier lean-labs: run \`npx lean-labs class up --name ${name}\` once (it resumes the class and gives it what machines need), then this again.`,
    );
  const docker = new DockerAdapter();
  await docker.ping();
  const swarm = new SwarmAdapter(docker);
  const info = await swarm.info();
  if (info.state !== 'active' || !info.isManager) throw new UserError("Run `class add-machine` on the class's manager (where `class up` ran).");
  const join = await swarm.workerJoin();
  if (learnersOnLoopback(config) || join.addr.startsWith('127.'))
    throw new UserError(
      `This swarm speaks on ${join.addr}, which other machines cannot reach: a class on several machines needs the swarm started with a routable address.\n` +
        `  End this class (\`npx lean-labs class down --name ${name}\`), \`docker swarm leave --force\`, then \`npx lean-labs class up --advertise-addr <this machine's IP> …\`.`,
    );
  ctx.out(
    `To add a machine to class "${name}" (it needs a running Docker engine, curl, and these run as a user of that engine):\n\n` +
      `  ${classImageCommand(config)}\n` +
      `  docker swarm join --token ${join.token} ${join.addr}\n\n` +
      'The first line loads the class image (about 900 MB, from the class server); a machine already in the swarm needs only\n' +
      'that one. Once it has joined, Swarm places sandboxes there by their memory reservation; `class status` shows them.\n',
  );
  return 0;
}
