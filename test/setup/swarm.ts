import { execFileSync } from 'node:child_process';
import engineSetup from './engine.js';

/**
 * The classroom tests need a real engine that manages a swarm. The engine comes up as for the integration tests;
 * an engine outside any swarm becomes a one-node swarm speaking on loopback (nothing outside this machine can join
 * it). When neither can be had, the run fails here, loudly: these tests never skip.
 */
export default function setup(): void {
  engineSetup();
  const state = execFileSync('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}'], { encoding: 'utf8' }).trim();
  if (state === 'inactive') execFileSync('docker', ['swarm', 'init', '--advertise-addr', '127.0.0.1'], { stdio: 'inherit' });
  else if (state !== 'active') throw new Error(`The engine's swarm is ${state}; the classroom tests need an active swarm.`);
  const manager = execFileSync('docker', ['info', '--format', '{{.Swarm.ControlAvailable}}'], { encoding: 'utf8' }).trim();
  if (manager !== 'true') throw new Error('The engine is a swarm worker; the classroom tests need a manager.');
}
