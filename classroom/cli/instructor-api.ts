/** The instructor's commands talk to their class server on this machine with the instructor token. */
import { UserError } from '../../runner/errors.js';
import { serverLog, classDir, type ClassConfig } from '../class-files.js';

export async function instructorGet(stateDir: string, config: ClassConfig, path: string, timeoutMs = 10_000): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(`http://127.0.0.1:${config.port}${path}`, {
      headers: { authorization: `Bearer ${config.instructorToken}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new UserError(
      `The server of class "${config.name}" does not answer on port ${config.port}. Its log: ${serverLog(classDir(stateDir, config.name))}.\n` +
        `  \`npx lean-labs class up --name ${config.name}\` starts it again; nothing of the class is lost.`,
    );
  }
  if (!res.ok) throw new UserError(`The class server answered ${res.status}: ${(await res.text()).trim()}`);
  return res;
}

export async function serverAnswers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}
