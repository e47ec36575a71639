/** The command line: parse flags, run one command, set the exit code. Everything about the commands is in their table. */
import { parseArgs } from 'node:util';
import type { CliContext } from './commands/cli-context.js';
import { COMMANDS, commandHelp, foreignOptions, labsDirFor, mainHelp, type OptionValues, parseArgsOptions, UsageError } from './commands/table.js';
import { UserError } from './errors.js';
import { packageVersion, stateDir } from './paths.js';
import { classHooks } from '../classroom/runner-hooks.js';

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

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseArgs({ args: [...argv], allowPositionals: true, options: parseArgsOptions() });
  const values = parsed.values as unknown as OptionValues;
  if (values.version) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const [command, ...args] = parsed.positionals;
  if (!command) {
    process.stdout.write(`${mainHelp()}\n`);
    return values.help ? 0 : 2;
  }
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`"${command}" is not a lean-labs command. Run \`npx lean-labs --help\` for the list.`);
  if (values.help) {
    process.stdout.write(`${commandHelp(command)}\n`);
    return 0;
  }
  // Each command takes its own options: a misplaced one is a mistake to point out, not to ignore.
  const foreign = foreignOptions(command, parsed.values, argv);
  if (foreign.length) throw new UsageError(`\`lean-labs ${command}\` does not take ${foreign.map((k) => `--${k}`).join(', ')}. \`npx lean-labs ${command} --help\` lists its options.`);
  const ctx: CliContext = {
    labsDir: labsDirFor(command, values.labs),
    stateDir: stateDir(),
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    live: Boolean(process.stdout.isTTY) && !process.env.CI,
    yes: values.yes,
    confirm,
    // In a class's sandbox, what the class adds to the runner (absent elsewhere).
    class: classHooks(),
  };
  return spec.run(ctx, args, values);
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
