/**
 * Where a class lives on the manager: `<state>/classes/<name>/` holds its settings (with the join code and the
 * instructor token, readable by the owner only), its database, the lab images served to sandboxes, and the
 * server's log and pid record.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../runner/atomic-file.js';
import { UserError } from '../runner/errors.js';
import { CLASS_NAME } from './sandbox-spec.js';

export interface ClassConfig {
  readonly name: string;
  readonly learners: number;
  readonly reserve: number;
  readonly labs: readonly string[];
  readonly memoryBytes: number;
  readonly reservationBytes: number;
  readonly pids: number;
  readonly port: number;
  /** The address learners are given. */
  readonly url: string;
  /** The address sandboxes reach the server on. */
  readonly sandboxUrl: string;
  readonly image: string;
  readonly joinCode: string;
  readonly instructorToken: string;
  /** Lets another machine fetch the class image (`class add-machine`); classes made before it get one on resume. */
  readonly machineToken?: string;
  /** Minutes without progress before the dashboard marks a learner stuck (classes made before it: 10). */
  readonly stuckAfterMinutes?: number;
  readonly createdAt: number;
  /** Set by `class down`: the records stay for `class export`. */
  readonly endedAt?: number;
}

/** The instructor's dashboard: the class address with the instructor token in it. */
export const dashboardUrl = (c: ClassConfig): string => `${c.url}/dashboard?token=${encodeURIComponent(c.instructorToken)}`;

/** What another machine runs to get the class image from the class server (it then can run sandboxes). */
export const classImageCommand = (c: ClassConfig): string => `curl -fsS '${c.url}/machine/class-image?token=${encodeURIComponent(c.machineToken ?? '')}' | docker load`;

/** A class whose address is loopback cannot be reached from other machines (its swarm speaks on 127.0.0.1). */
export const learnersOnLoopback = (c: ClassConfig): boolean => new URL(c.url).hostname.startsWith('127.');

export const classDir = (stateDir: string, name: string): string => join(stateDir, 'classes', name);
export const configFile = (dir: string): string => join(dir, 'class.json');
export const dbFile = (dir: string): string => join(dir, 'class.db');
export const imagesTar = (dir: string): string => join(dir, 'images.tar');
export const serverLog = (dir: string): string => join(dir, 'server.log');
export const serverPid = (dir: string): string => join(dir, 'server.pid');

export function checkClassName(name: string): string {
  if (!CLASS_NAME.test(name)) throw new UserError(`"${name}" cannot name a class: use 1 to 20 lowercase letters, digits and dashes, starting with a letter (e.g. --name docker-101).`);
  return name;
}

export function readConfig(stateDir: string, name: string): ClassConfig | undefined {
  const file = configFile(classDir(stateDir, name));
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ClassConfig;
  } catch (err) {
    throw new UserError(`${file} is damaged (${(err as Error).message}). Move it away to start the class afresh.`);
  }
}

export function writeConfig(stateDir: string, config: ClassConfig): void {
  writeFileAtomic(configFile(classDir(stateDir, config.name)), `${JSON.stringify(config, null, 2)}\n`, 0o600);
}

/** An ended class's records are moved aside (never deleted) when a new class takes its name. */
export function setAsideEnded(stateDir: string, config: ClassConfig): string {
  const dir = classDir(stateDir, config.name);
  const to = `${dir}-ended-${new Date(config.endedAt ?? Date.now()).toISOString().replace(/[:.]/g, '-')}`;
  renameSync(dir, to);
  return to;
}
