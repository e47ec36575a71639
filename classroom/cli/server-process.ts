/** The class server's pid record: the process is signalled only while it is still the one `class up` started. */
import { existsSync, rmSync } from 'node:fs';
import { processAlive } from '../../runner/host/process-identity.js';
import { readPidRecord, stillOurs, type PidRecord } from '../../runner/host/engine.js';
import { serverPid } from '../class-files.js';

function record(dir: string): PidRecord | undefined {
  const file = serverPid(dir);
  return existsSync(file) ? readPidRecord(file) : undefined;
}

/** The pid of the class's server when it still runs, else undefined. */
export function runningServer(dir: string): number | undefined {
  const r = record(dir);
  return r && stillOurs(r).ours ? r.pid : undefined;
}

/** Stops the class's server (SIGTERM: it writes its database and exits). Returns what happened, in words. */
export async function stopServer(dir: string): Promise<string> {
  const r = record(dir);
  if (!r) return 'its server was not running';
  const verdict = stillOurs(r);
  if (!verdict.ours) {
    rmSync(serverPid(dir), { force: true });
    return `its server was not running (${verdict.why})`;
  }
  process.kill(r.pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && processAlive(r.pid) && stillOurs(r).ours) await new Promise((res) => setTimeout(res, 100));
  if (processAlive(r.pid) && stillOurs(r).ours) process.kill(r.pid, 'SIGKILL');
  rmSync(serverPid(dir), { force: true });
  return `its server (pid ${r.pid}) stopped`;
}
