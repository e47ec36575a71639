/** The command line: parse flags, run one command, set the exit code. */
import { parseArgs } from 'node:util';
import type { CliContext } from './commands/cli-context.js';
import { COMMANDS, commandHelp, HELP } from './commands/help.js';
import { UserError } from './errors.js';
import { bundledLabsDir, packageVersion, stateDir } from './paths.js';

/** Wrong words on the command line. */
class UsageError extends UserError {
  constructor(message: string) {
    super(message, 2);
  }
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** `--jobs N`: how many labs verify proves side by side (1 when not given). */
function parseJobs(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new UsageError(`--jobs takes a whole number from 1 to 16, not "${value}". Try --jobs 3.`);
  return n;
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      labs: { type: 'string' },
      reporter: { type: 'string', default: 'plain' },
      out: { type: 'string' },
      keep: { type: 'boolean', default: false },
      bail: { type: 'boolean', default: false },
      jobs: { type: 'string' },
      watch: { type: 'boolean', default: false },
      yes: { type: 'boolean', short: 'y', default: false },
      rebuild: { type: 'boolean', default: false },
      purge: { type: 'boolean', default: false },
      presenter: { type: 'boolean', default: false },
      pane: { type: 'boolean', default: false },
      port: { type: 'string' },
      learners: { type: 'string' },
      name: { type: 'string' },
      reserve: { type: 'string' },
      memory: { type: 'string' },
      reservation: { type: 'string' },
      format: { type: 'string' },
      code: { type: 'string' },
      'advertise-addr': { type: 'string' },
      'stuck-after': { type: 'string' },
      'no-wait': { type: 'boolean', default: false },
      open: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', short: 'v', default: false },
    },
  });
  if (values.version) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const [command, ...args] = positionals;
  if (!command) {
    process.stdout.write(`${HELP}\n`);
    return values.help ? 0 : 2;
  }
  const spec = COMMANDS[command];
  if (spec && values.help) {
    process.stdout.write(`${commandHelp(command)}\n`);
    return 0;
  }
  if (spec) {
    // Each command takes its own options: a misplaced one is a mistake to point out, not to ignore.
    const given = Object.keys(values).filter((k) => k !== 'help' && k !== 'version' && argv.some((a) => a === `--${k}` || a.startsWith(`--${k}=`) || (k === 'yes' && a === '-y')));
    const foreign = given.filter((k) => !spec.options.includes(k));
    if (foreign.length) throw new UsageError(`\`lean-labs ${command}\` does not take ${foreign.map((k) => `--${k}`).join(', ')}. \`npx lean-labs ${command} --help\` lists its options.`);
  }
  const ctx: CliContext = {
    // `class up --labs a,b` names labs; everywhere else --labs is a folder of labs.
    labsDir: command === 'class' ? bundledLabsDir() : (values.labs ?? bundledLabsDir()),
    stateDir: stateDir(),
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    live: Boolean(process.stdout.isTTY) && !process.env.CI,
    yes: values.yes,
    confirm,
  };
  // Each command's module is loaded when it runs: the runner's first screen waits for none of the others (the Docker
  // adapter, the verifier, the image builder).
  const labs = () => import('./commands/labs.js');
  const system = () => import('./commands/system.js');
  switch (command) {
    case 'start': {
      if (args.length > 1) throw new UsageError('Name at most one lab to start, e.g. `npx lean-labs start namespaces`.');
      // Loaded on demand: the other commands need neither React nor Ink.
      const { runStart } = await import('./commands/start.js');
      return runStart(ctx, args[0], { presenter: values.presenter, pane: values.pane });
    }
    case 'slides': {
      const { runSlides } = await import('./commands/slides.js');
      return runSlides(ctx, args, { out: values.out, port: values.port, open: values.open });
    }
    case 'list':
      return (await labs()).runList(ctx);
    case 'new': {
      if (args.length !== 1) throw new UsageError('Name the new lab, e.g. `npx lean-labs new my-volumes --labs ./labs`.');
      const { writeSkeleton } = await import('./lab/skeleton.js');
      const dir = values.labs ?? 'labs';
      const file = writeSkeleton(dir, args[0]!);
      ctx.out(
        `Wrote ${file}: a lab that already verifies, every field explained.\n  Prove it: npx lean-labs verify ${args[0]} --labs ${dir}\n  Edit and re-prove as you go: npx lean-labs verify ${args[0]} --labs ${dir} --watch\n`,
      );
      return 0;
    }
    case 'verify':
      if (values.watch) {
        const { runVerifyWatch } = await import('./commands/watch.js');
        return runVerifyWatch(ctx, args);
      }
      return (await labs()).runVerify(ctx, args, { reporter: values.reporter, out: values.out, keep: values.keep, bail: values.bail, jobs: parseJobs(values.jobs) });
    case 'reset':
      if (args.length !== 1) throw new UsageError('Name one lab to reset, e.g. `npx lean-labs reset namespaces`.');
      return (await labs()).runReset(ctx, args[0]!);
    case 'doctor':
      return (await system()).runDoctor(ctx);
    case 'engine':
      if (args[0] !== 'up' && args[0] !== 'down') throw new UsageError('Say `engine up` or `engine down`.');
      if (values.purge && args[0] !== 'down') throw new UsageError('--purge goes with `engine down`: it undoes what `engine up` installed.');
      return (await system()).runEngine(ctx, args[0], { purge: values.purge });
    case 'images':
      return (await system()).runImages(ctx, args, { rebuild: values.rebuild });
    case 'class': {
      const { runClass } = await import('../classroom/cli/class-command.js');
      return runClass(ctx, args, {
        learners: values.learners,
        name: values.name,
        reserve: values.reserve,
        memory: values.memory,
        reservation: values.reservation,
        format: values.format,
        code: values.code,
        out: values.out,
        port: values.port,
        labs: values.labs,
        advertiseAddr: values['advertise-addr'],
        stuckAfter: values['stuck-after'],
        wait: !values['no-wait'],
      });
    }
    default:
      throw new UsageError(`"${command}" is not a lean-labs command. Run \`npx lean-labs --help\` for the list.`);
  }
}

// `lean-labs images | head`: when the reader goes away, stop quietly instead of printing a stack.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

/** Once the command is over, nothing may keep the process alive (a socket to an engine that never answered). */
function exitSoon(): void {
  setTimeout(() => process.exit(), 1000).unref();
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    exitSoon();
  },
  async (err: unknown) => {
    const e = err as Error & { code?: string };
    if (e.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${e.message}\nRun \`npx lean-labs --help\` for the options.\n`);
      process.exitCode = 2;
    } else if (e instanceof UserError) {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = e.exitCode;
    } else {
      const { writeBugReport } = await import('./bug-report.js');
      const file = writeBugReport(err, process.argv.slice(2), stateDir());
      process.stderr.write(
        `lean-labs hit a bug (${e.name ?? 'Error'}: ${String(e.message ?? err).split('\n')[0]}).\n` +
          (file ? `  The details are in ${file}: please attach that file when you report it.\n` : `${e.stack ?? String(e)}\n`),
      );
      process.exitCode = 70;
    }
    exitSoon();
  },
);
