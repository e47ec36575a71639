/**
 * The command line in one table: every option (its type, and the line its help shows), every command (its usage, what
 * it does, the options it takes, its lines in the main help, and what runs it). Argument parsing, each command's
 * help, the main help and the dispatch are all made from it. Each command's module is loaded only when it runs: the
 * runner's first screen waits for none of the others (the Docker adapter, the verifier, the image builder).
 */
import type { CliContext } from './cli-context.js';
import { UserError } from '../errors.js';
import { bundledLabsDir } from '../paths.js';

/** Wrong words on the command line (exit code 2). */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, 2);
  }
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The option's line in a command's help. */
  readonly text: string;
}

export const OPTIONS = {
  labs: { type: 'string', text: '--labs <dir>             load labs from <dir> instead of the bundled ones' },
  reporter: { type: 'string', text: '--reporter <name>        plain (default), tap, junit or json' },
  out: { type: 'string', text: '--out <file|dir>         verify --reporter junit|json: the report file; slides: the export folder' },
  keep: { type: 'boolean', text: "--keep                   leave the lab's containers for inspection (reset removes them later)" },
  bail: { type: 'boolean', text: '--bail                   stop at the first failing step' },
  jobs: { type: 'string', text: "--jobs <n>               prove n labs side by side (default 1); the report keeps the labs' order" },
  patience: { type: 'string', text: '--patience <n>           give checks that wait for the engine n times their time (a slow engine: emulated, or busy)' },
  watch: { type: 'boolean', text: "--watch                  prove one lab again whenever its files change, showing what changed (authors' loop)" },
  yes: { type: 'boolean', short: 'y', text: '-y, --yes                agree to installs (engine, base image, images) without asking' },
  rebuild: { type: 'boolean', text: '--rebuild                build again from scratch, without the layer cache' },
  purge: { type: 'boolean', text: '--purge                  engine down: also remove the packages and apt files engine up added' },
  presenter: { type: 'boolean', text: '--presenter              type each command out visibly before running it (live demos)' },
  pane: { type: 'boolean', text: "--pane                   inside tmux: open a shell pane beside the runner in the lab's folder" },
  port: { type: 'string', text: '--port <n>               the port to serve on (default: any free one)' },
  open: { type: 'boolean', text: '--open                   open the deck in a browser' },
  learners: { type: 'string', text: '--learners <n>           class up: how many learners (one sandbox each)' },
  name: { type: 'string', text: '--name <name>            the class (default "class"); class join: your display name' },
  reserve: { type: 'string', text: '--reserve <n>            class up: warm spare sandboxes beyond the learners (default: 10%, at most 3)' },
  memory: { type: 'string', text: '--memory <size>          class up: memory limit of each sandbox (default 2g)' },
  reservation: { type: 'string', text: '--reservation <size>     class up: memory Swarm keeps free for each sandbox when placing it (default: the limit, at most 512m)' },
  format: { type: 'string', text: "--format csv|jsonl       class export: the file format (default csv, or from --out's extension)" },
  code: { type: 'string', text: '--code <code>            class join: the join code the instructor gave' },
  'advertise-addr': { type: 'string', text: '--advertise-addr <ip>    class up: the address other machines reach this one on, if it starts the swarm' },
  'stuck-after': { type: 'string', text: '--stuck-after <min>      class up: the dashboard marks a learner stuck after this many minutes without progress (default 10)' },
  'no-wait': { type: 'boolean', text: '--no-wait                class up: return at once instead of showing the sandboxes come up' },
  help: { type: 'boolean', short: 'h', text: '-h, --help               this text' },
  version: { type: 'boolean', short: 'v', text: '-v, --version            the version' },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;
/** The parsed options: strings and booleans as parseArgs gives them (booleans false when not given). */
export type OptionValues = { readonly [K in OptionName]: (typeof OPTIONS)[K]['type'] extends 'string' ? string | undefined : boolean };

/** The options as node:util parseArgs takes them. */
export function parseArgsOptions(): Record<string, { type: 'string' | 'boolean'; short?: string; default?: boolean }> {
  return Object.fromEntries(Object.entries(OPTIONS).map(([name, o]) => [name, { type: o.type, ...('short' in o ? { short: o.short } : {}), ...(o.type === 'boolean' ? { default: false } : {}) }]));
}

export interface CommandSpec {
  readonly usage: string;
  readonly about: string;
  /** Its lines in the main help's list of commands (usage, then what it does). */
  readonly summary: ReadonlyArray<readonly [string, string]>;
  readonly options: readonly OptionName[];
  /** --labs names labs by id (class up), not a folder of labs. */
  readonly labsAreIds?: boolean;
  readonly run: (ctx: CliContext, args: readonly string[], o: OptionValues) => Promise<number>;
}

/** `--patience N`: how many times its own time a check that waits (`within`) is given (1 when not given). */
export function parsePatience(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 1 || n > 20) throw new UsageError(`--patience takes a number from 1 to 20, not "${value}". Try --patience 4 on an emulated engine.`);
  return n;
}

/** `--jobs N`: how many labs verify proves side by side (1 when not given). */
export function parseJobs(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new UsageError(`--jobs takes a whole number from 1 to 16, not "${value}". Try --jobs 3.`);
  return n;
}

const labs = () => import('./labs.js');
const system = () => import('./system.js');

export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  start: {
    usage: 'start [lab]',
    about: 'The interactive runner: pick a lab, type its commands in your own terminal, and watch each check turn green. Needs a terminal; `?` inside lists the keys.',
    summary: [['start [lab]', 'the interactive runner: pick a lab, type its commands in your own terminal,\nwatch each check turn green (needs a terminal)']],
    options: ['labs', 'presenter', 'pane', 'yes'],
    run: async (ctx, args, o) => {
      if (args.length > 1) throw new UsageError('Name at most one lab to start, e.g. `npx lean-labs start namespaces`.');
      // Loaded on demand: the other commands need neither React nor Ink.
      const { runStart } = await import('./start.js');
      return runStart(ctx, args[0], { presenter: o.presenter, pane: o.pane });
    },
  },
  slides: {
    usage: 'slides [deck]',
    about: "Lists the talk's decks, or presents one on http://127.0.0.1:<port>/. With --out, writes a self-contained copy instead.",
    summary: [['slides [deck]', "list the talk's decks, or present one on localhost (--port, --open);\n--out <dir> writes a self-contained copy (works from file://, prints one slide a page)"]],
    options: ['labs', 'port', 'open', 'out'],
    run: async (ctx, args, o) => (await import('./slides.js')).runSlides(ctx, args, { out: o.out, port: o.port, open: o.open }),
  },
  list: {
    usage: 'list',
    about: 'The labs: id, duration, steps, title; and the mistakes of any lab that does not parse.',
    summary: [['list', 'the labs: id, title, duration, steps']],
    options: ['labs'],
    run: async (ctx) => (await labs()).runList(ctx),
  },
  new: {
    usage: 'new <id> [--labs <dir>]',
    about: 'Writes <dir>/<id>/lab.md (default dir: ./labs): a small lab that already verifies, with every field explained in a comment. Never writes over an existing lab.',
    summary: [['new <id>', 'write a lab skeleton that already verifies (--labs <dir>, default ./labs)']],
    options: ['labs'],
    run: async (ctx, args, o) => {
      if (args.length !== 1) throw new UsageError('Name the new lab, e.g. `npx lean-labs new my-volumes --labs ./labs`.');
      const { writeSkeleton } = await import('../lab/skeleton.js');
      const dir = o.labs ?? 'labs';
      const file = writeSkeleton(dir, args[0]!);
      ctx.out(
        `Wrote ${file}: a lab that already verifies, every field explained.\n  Prove it: npx lean-labs verify ${args[0]} --labs ${dir}\n  Edit and re-prove as you go: npx lean-labs verify ${args[0]} --labs ${dir} --watch\n`,
      );
      return 0;
    },
  },
  verify: {
    usage: 'verify [lab...]',
    about:
      'Runs labs end to end: every check must fail before its step and pass after it, then nothing of the lab may remain. All labs when none is named. Exit code 1 on any failure, 2 for a malformed lab.',
    summary: [['verify [lab...]', 'run labs end to end and prove every step (all labs when none is named)']],
    options: ['labs', 'reporter', 'out', 'keep', 'bail', 'jobs', 'patience', 'watch', 'yes'],
    run: async (ctx, args, o) => {
      if (o.watch) return (await import('./watch.js')).runVerifyWatch(ctx, args);
      return (await labs()).runVerify(ctx, args, { reporter: o.reporter ?? 'plain', out: o.out, keep: o.keep, bail: o.bail, jobs: parseJobs(o.jobs), patience: parsePatience(o.patience) });
    },
  },
  reset: {
    usage: 'reset <lab>',
    about: 'Removes what the lab made, and never your own things.',
    summary: [['reset <lab>', 'remove what a lab made, and nothing else']],
    options: ['labs'],
    run: async (ctx, args) => {
      if (args.length !== 1) throw new UsageError('Name one lab to reset, e.g. `npx lean-labs reset namespaces`.');
      return (await labs()).runReset(ctx, args[0]!);
    },
  },
  doctor: {
    usage: 'doctor',
    about: 'Checks the engine (which endpoint, and why), cgroups, Compose v2, the docker CLI and the lab images; each problem with its fix.',
    summary: [['doctor', 'check the engine, cgroups, Compose, the docker CLI and the lab images']],
    options: ['labs'],
    run: async (ctx) => (await system()).runDoctor(ctx),
  },
  engine: {
    usage: 'engine up | down [--purge]',
    about:
      'Linux, root: starts a local engine (when it must install Debian packages first, it lists every change it will make and asks), or stops one it started (checking the pid is still that dockerd). `down --purge` also removes the packages and apt files `up` added, and only those.',
    summary: [['engine up | down', 'start (installing if needed, Linux + root) or stop a local engine; down --purge undoes the install']],
    options: ['yes', 'purge'],
    run: async (ctx, args, o) => {
      if (args[0] !== 'up' && args[0] !== 'down') throw new UsageError('Say `engine up` or `engine down`.');
      if (o.purge && args[0] !== 'down') throw new UsageError('--purge goes with `engine down`: it undoes what `engine up` installed.');
      return (await system()).runEngine(ctx, args[0], { purge: o.purge });
    },
  },
  images: {
    usage: 'images [build [name...] | bootstrap]',
    about: 'Lists the lab images (present or missing, which labs use them), builds missing ones, or makes the Debian base image without a registry.',
    summary: [
      ['images', 'list the lab images: present or missing, size'],
      ['images build [name...]', 'build missing lab images (--rebuild: again from scratch, no cache)'],
      ['images bootstrap', 'make the Debian base image without a registry (debootstrap)'],
    ],
    options: ['labs', 'rebuild', 'yes'],
    run: async (ctx, args, o) => (await system()).runImages(ctx, args, { rebuild: o.rebuild }),
  },
  class: {
    usage: 'class up | status | export | add-machine | down | join <address>',
    about:
      "The classroom. On a Docker Swarm manager, `class up --learners N` starts a class server and one sandbox engine per learner (a Swarm service each, plus warm spares; `--labs a,b` picks the labs, by id), and prints the learners' address, the join code and the instructor's live dashboard (`/dashboard?token=…`). `class status` shows each learner's lab, step and checks; `class export --out results.csv` gives time per step, hints and solves; `class add-machine` prints what to run on another machine so it takes sandboxes (load the class image from the class server, join the swarm). `class down` removes every sandbox, network, secret and volume of the class, on every node, and nothing else. Learners open the address in a browser (join code, name, then their sandbox's terminal in the page), or run `class join <address>`: the same shell, with the runner, in their own terminal.",
    summary: [
      ['class up', 'instructor, on a swarm manager: a sandbox engine per learner, a class server\n(--learners N, --name, --labs a,b, --memory 2g, --reserve 3, --port, --advertise-addr)'],
      ['class status | export', 'instructor: who is on which step (table); results as CSV or JSONL (--out, --format)'],
      ['class add-machine', 'instructor: what to run on another machine so it takes sandboxes (class image, swarm join)'],
      ['class down', 'instructor: remove everything of the class from the swarm, on every node (its results stay)'],
      ['class join <address>', "learner: your sandbox's shell in this terminal (--code, --name)"],
    ],
    options: ['learners', 'name', 'labs', 'reserve', 'memory', 'reservation', 'port', 'advertise-addr', 'stuck-after', 'no-wait', 'out', 'format', 'code', 'yes'],
    labsAreIds: true,
    run: async (ctx, args, o) => {
      const { runClass } = await import('../../classroom/cli/class-command.js');
      return runClass(ctx, args, {
        learners: o.learners,
        name: o.name,
        reserve: o.reserve,
        memory: o.memory,
        reservation: o.reservation,
        format: o.format,
        code: o.code,
        out: o.out,
        port: o.port,
        labs: o.labs,
        advertiseAddr: o['advertise-addr'],
        stuckAfter: o['stuck-after'],
        wait: !o['no-wait'],
      });
    },
  },
};

/** The options every command takes. */
const EVERYWHERE: readonly OptionName[] = ['help', 'version'];

const column = (left: string, right: string): string => {
  const [first, ...rest] = right.split('\n');
  return [`  ${left.padEnd(24)} ${first}`, ...rest.map((l) => `  ${''.padEnd(24)} ${l}`)].join('\n');
};

/** The main help: every command's lines, then the options all commands share. */
export function mainHelp(): string {
  const commands = Object.values(COMMANDS).flatMap((c) => c.summary.map(([left, right]) => column(left, right)));
  return [
    'lean-labs: learn how containers really work, on a real Docker engine.',
    '',
    'Usage: npx lean-labs <command> [options]',
    '',
    'Commands',
    ...commands,
    '',
    'Options',
    `  ${OPTIONS.yes.text}`,
    '  -h, --help               this text; `npx lean-labs <command> --help` for one command and its options',
    `  ${OPTIONS.version.text}`,
    '',
    'Start here: npx lean-labs engine up (if no engine runs), then npx lean-labs start.',
  ].join('\n');
}

/** One command's usage, what it does, and the options it takes (every other option is refused). */
export function commandHelp(name: string): string {
  const c = COMMANDS[name]!;
  const options = [...c.options.map((o) => OPTIONS[o].text), OPTIONS.help.text];
  return `Usage: npx lean-labs ${c.usage}\n\n${wrap(c.about, 100)}\n\nOptions\n${options.map((o) => `  ${o}`).join('\n')}`;
}

/** The options given on the command line that this command does not take. */
export function foreignOptions(command: string, values: Readonly<Record<string, unknown>>, argv: readonly string[]): string[] {
  const spec = COMMANDS[command]!;
  const given = Object.keys(values).filter((k) => {
    const o = OPTIONS[k as OptionName];
    return o && argv.some((a) => a === `--${k}` || a.startsWith(`--${k}=`) || ('short' in o && a === `-${o.short}`));
  });
  return given.filter((k) => !spec.options.includes(k as OptionName) && !EVERYWHERE.includes(k as OptionName));
}

/** Where a command's labs come from. */
export const labsDirFor = (command: string, labs: string | undefined): string => (COMMANDS[command]?.labsAreIds ? bundledLabsDir() : (labs ?? bundledLabsDir()));

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}
