/** `lean-labs class …`: the classroom's commands, for the instructor (up, status, export, down) and learners (join). */
import type { CliContext } from '../../runner/commands/cli-context.js';
import { UserError } from '../../runner/errors.js';

export interface ClassArgs {
  readonly learners?: string;
  readonly name?: string;
  readonly reserve?: string;
  readonly memory?: string;
  readonly reservation?: string;
  readonly format?: string;
  readonly code?: string;
  readonly out?: string;
  readonly port?: string;
  readonly labs?: string;
  readonly advertiseAddr?: string;
  readonly stuckAfter?: string;
  readonly wait: boolean;
}

export const DEFAULT_CLASS = 'class';

export async function runClass(ctx: CliContext, args: readonly string[], o: ClassArgs): Promise<number> {
  const [sub, ...rest] = args;
  const name = o.name ?? DEFAULT_CLASS;
  const usage = 'Say `class up`, `class status`, `class export`, `class add-machine`, `class down` or `class join <address>` (`npx lean-labs class --help` explains each).';
  if (sub !== 'join' && rest.length) throw new UserError(`\`class ${sub}\` takes no further words (${rest.join(' ')}). ${usage}`);
  switch (sub) {
    case 'up': {
      const { runClassUp } = await import('./up.js');
      return runClassUp(ctx, { ...o, name });
    }
    case 'status': {
      const { runClassStatus } = await import('./status.js');
      return runClassStatus(ctx, name);
    }
    case 'export': {
      const { runClassExport } = await import('./status.js');
      return runClassExport(ctx, name, { out: o.out, format: o.format });
    }
    case 'down': {
      const { runClassDown } = await import('./down.js');
      return runClassDown(ctx, name);
    }
    case 'join': {
      if (rest.length !== 1) throw new UserError('Give the address your instructor shared: `npx lean-labs class join http://10.0.0.5:7420`.');
      const { runClassJoin } = await import('../client/join.js');
      return runClassJoin(rest[0]!, { code: o.code, name: o.name, stateDir: ctx.stateDir, out: ctx.out });
    }
    case 'serve': {
      const { serveClass } = await import('./serve.js');
      await serveClass(ctx.stateDir, name, (l) => ctx.out(`${new Date().toISOString()} ${l}\n`));
      return 0;
    }
    case 'add-machine': {
      const { runClassAddMachine } = await import('./add-machine.js');
      return runClassAddMachine(ctx, name);
    }
    case 'sweep': {
      const { runClassSweep } = await import('./sweep.js');
      return runClassSweep(name, ctx.out);
    }
    default:
      throw new UserError(sub ? `"class ${sub}" is not a command. ${usage}` : usage);
  }
}
