/**
 * `lean-labs class serve --name N`: the class server process, started in the background by `class up` on the
 * manager. It serves learners and agents, makes the sandboxes Swarm lacks and watches them. SIGTERM flushes the
 * database and stops; everything it had confirmed is on disk, so `class up` started again resumes the class.
 */
import { networkInterfaces } from 'node:os';
import { DockerAdapter } from '../../runner/docker/adapter.js';
import { SwarmAdapter } from '../../runner/docker/swarm.js';
import { UserError } from '../../runner/errors.js';
import { classDir, dbFile, imagesTar, readConfig } from '../class-files.js';
import { SandboxKeeper } from '../server/sandbox-keeper.js';
import { ClassServer } from '../server/server.js';
import { ClassStore } from '../server/store.js';
import { DEFAULT_STUCK_AFTER_MINUTES } from '../protocol.js';

/** This machine's own IPv4 addresses (the class server listens on all of them). */
export function machineAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).filter((i) => i.family === 'IPv4' && !i.internal).map((i) => i.address));
}

export async function serveClass(stateDir: string, name: string, log: (l: string) => void): Promise<void> {
  const config = readConfig(stateDir, name);
  if (!config) throw new UserError(`There is no class named "${name}" on this machine.`);
  const dir = classDir(stateDir, name);
  const store = await ClassStore.open(dbFile(dir));
  let keeper: SandboxKeeper | undefined;
  const engine = new DockerAdapter();
  const server = new ClassServer({
    store,
    settings: {
      name,
      learners: config.learners,
      joinCode: config.joinCode,
      instructorToken: config.instructorToken,
      machineToken: config.machineToken,
      stuckAfterMs: (config.stuckAfterMinutes ?? DEFAULT_STUCK_AFTER_MINUTES) * 60_000,
    },
    imagesTar: imagesTar(dir),
    classImage: () => engine.saveImages([config.image]),
    log,
    onAgentChange: () => void keeper?.poke(),
  });
  const port = await server.listen(config.port);
  log(`class "${name}" listening on port ${port}`);
  const swarm = new SwarmAdapter(engine);
  keeper = new SandboxKeeper(
    swarm,
    store,
    {
      className: name,
      image: config.image,
      labs: config.labs,
      serverUrl: config.sandboxUrl,
      memoryBytes: config.memoryBytes,
      reservationBytes: config.reservationBytes,
      pids: config.pids,
      refuse: [new URL(config.sandboxUrl).hostname, ...machineAddresses()],
    },
    { ready: (s) => server.agentReady(s), says: (s) => server.agentMessage(s) },
    log,
  );
  await keeper.ensure();
  keeper.watch();
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      log(`${sig}: stopping`);
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  keeper.stop();
  await server.close();
  store.close();
  log('stopped; the class database is written');
}
