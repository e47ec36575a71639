import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { firstScreenDrawn } from '../launcher.js';
import { LAB_FILES, workDir } from '../engine/workdir.js';
import { UserError } from '../errors.js';
import { findLab, loadSomeLabsOnDemand } from '../lab/lab-set.js';
import { plural } from '../text/plural.js';
import type { Lab } from '../lab/types.js';
import { fitProgress, loadProgress, openingNotice, progressLabel, saveProgress } from '../tutor/progress.js';
import type { CliContext } from './cli-context.js';

/**
 * What a lab session needs beyond the lab list: the tutor (and through it zx and the checks), the Docker adapter,
 * the image builder. Loaded once the first screen is out, so that screen waits for none of it.
 */
async function sessionParts() {
  const [{ DockerAdapter }, { Tutor }, { imageBuilder }] = await Promise.all([import('../docker/adapter.js'), import('../tutor/tutor.js'), import('./context.js')]);
  return { docker: new DockerAdapter(), Tutor, imageBuilder };
}

export interface StartOptions {
  readonly presenter: boolean;
  /** Open a tmux shell pane beside the runner as soon as a lab opens. */
  readonly pane: boolean;
  readonly typeMs?: number;
}

/** Splits the tmux window: a shell in the lab's working folder, beside the runner. */
export async function openTmuxPane(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (!env.TMUX) return 'Not inside tmux: open a second terminal and type the commands there (or start lean-labs inside tmux).';
  const { runProcess } = await import('../host/run.js');
  const r = await runProcess('tmux', ['split-window', '-h', '-d', '-l', '45%', '-c', dir], { env, timeoutMs: 10_000 });
  if (r.code !== 0) return `tmux could not open a pane: ${r.output.trim()}`;
  return "Opened a shell pane on the right, in the lab's folder (Ctrl-B then an arrow key moves between panes).";
}

/** `lean-labs start [lab]`: the interactive runner. */
export async function runStart(ctx: CliContext, id: string | undefined, opts: StartOptions): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY)
    throw new UserError(
      '`lean-labs start` is interactive and needs a terminal, and this is not one (a pipe, a script or CI).\n' + '  To prove labs without a terminal, run `npx lean-labs verify [lab]`.',
    );
  const loadedLabs = await loadSomeLabsOnDemand(ctx.labsDir, id ? [id] : []);
  const { problems } = loadedLabs;
  // In a class sandbox, the runner offers the class's labs only.
  const only = ctx.class?.labs;
  const labs = only?.length ? loadedLabs.labs.filter((l) => only.includes(l.id) || l.id === id) : loadedLabs.labs;
  const initial = id ? findLab(labs, id, ctx.labsDir) : undefined;
  if (opts.pane && !process.env.TMUX) throw new UserError('--pane opens a shell pane beside the runner and needs tmux: run `tmux` first, then `npx lean-labs start --pane`.');
  const loaded = loadProgress(ctx.stateDir);
  const { progress, notes } = fitProgress(loaded.progress, labs);
  const notice = openingNotice(loaded.setAside, [...notes, ...(problems.length ? [`Left out ${plural(problems.length, 'lab')} with mistakes (\`npx lean-labs list\` shows them).`] : [])]);
  let session: ReturnType<typeof sessionParts> | undefined;
  const loadSession = () => (session ??= sessionParts());
  // Asked on every frame: look at the disk once per lab.
  const filesOf = new Map<string, boolean>();
  const hasFiles = (lab: Lab) => {
    if (!filesOf.has(lab.id)) filesOf.set(lab.id, existsSync(join(lab.dir, LAB_FILES)));
    return filesOf.get(lab.id)!;
  };
  const panesOpened = new Set<string>();

  const { render } = await import('ink');
  const { StartApp, preloadLabScreen } = await import('../ui/start/StartApp.js');
  // The runner draws on the terminal's alternate screen, so quitting gives the learner their scrollback back.
  process.stdout.write('\u001b[?1049h\u001b[H');
  // A terminal that shrinks (a tmux pane split beside the runner) keeps what was drawn past the new width: the
  // screen is cleared before Ink draws the next frame at the new size.
  const clearOnResize = () => process.stdout.write('\u001b[2J\u001b[H');
  process.stdout.on('resize', clearOnResize);
  let lastLab: Lab | undefined = initial;
  let lastSaved = progress;
  const app = render(
    <StartApp
      labs={labs}
      progress={progress}
      notice={notice}
      save={(p) => {
        lastSaved = p;
        saveProgress(ctx.stateDir, p);
      }}
      initialLab={initial?.id}
      hasFiles={hasFiles}
      presenter={opts.presenter}
      openPane={(lab) => openTmuxPane(workDir(ctx.stateDir, lab))}
      createSession={async (lab, labProgress, emit, save) => {
        lastLab = lab;
        const { docker, Tutor, imageBuilder } = await loadSession();
        const build = imageBuilder(docker, ctx.yes, undefined, ctx.class?.imagesLoading);
        // In a class sandbox, progress also goes to the instructor.
        const report = await ctx.class?.progressFor?.(lab);
        return new Tutor({
          docker,
          stateDir: ctx.stateDir,
          lab,
          progress: labProgress,
          saveProgress: save,
          emit: (e) => {
            emit(e);
            report?.(e);
            if (e.kind === 'ready' && opts.pane && !panesOpened.has(lab.id)) {
              panesOpened.add(lab.id);
              void openTmuxPane(e.workDir);
            }
          },
          prepareImages: (l, onPlan, onEvent) => build(l, { onPlan, onEvent }),
          typeMs: opts.presenter ? (opts.typeMs ?? 35) : undefined,
        });
      }}
    />,
    { exitOnCtrlC: false, patchConsole: true },
  );
  // Ink drew the first screen within render(); the launcher's work for it waits until that has gone out, and then
  // what a lab needs is loaded.
  setImmediate(() => {
    firstScreenDrawn();
    void loadSession();
    preloadLabScreen();
  });
  try {
    await app.waitUntilExit();
  } finally {
    process.stdout.off('resize', clearOnResize);
    process.stdout.write('\u001b[?1049l');
  }
  if (lastLab) {
    // What the app last saved, not a second read of the file (loading would also move a damaged file aside).
    const where = progressLabel(
      lastSaved.labs[lastLab.id],
      lastLab.steps.map((s) => s.id),
    );
    ctx.out(`Progress saved (${lastLab.id}: ${where}). \`npx lean-labs start ${lastLab.id}\` picks up where you left off.\n`);
  }
  return 0;
}
