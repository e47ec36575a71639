import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import engineSetup from './engine.js';

/**
 * The classroom tests need a real engine that manages a swarm. The engine comes up as for the integration tests;
 * an engine outside any swarm becomes a one-node swarm speaking on loopback (nothing outside this machine can join
 * it). The pages run in Debian's Chromium. When any of these cannot be had, the run fails here, loudly: these tests never skip.
 */
export default function setup(): void {
  // The class's pages are tested in Debian's Chromium, as the slides are.
  if (!existsSync('/usr/bin/chromium')) throw new Error("The classroom tests drive Debian's Chromium at /usr/bin/chromium: `apt-get install chromium` (.ci/run does).");
  engineSetup();
  const state = execFileSync('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}'], { encoding: 'utf8' }).trim();
  if (state === 'inactive') execFileSync('docker', ['swarm', 'init', '--advertise-addr', '127.0.0.1'], { stdio: 'inherit' });
  else if (state !== 'active') throw new Error(`The engine's swarm is ${state}; the classroom tests need an active swarm.`);
  const manager = execFileSync('docker', ['info', '--format', '{{.Swarm.ControlAvailable}}'], { encoding: 'utf8' }).trim();
  if (manager !== 'true') throw new Error('The engine is a swarm worker; the classroom tests need a manager.');
}
