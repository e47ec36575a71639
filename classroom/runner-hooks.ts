/**
 * What the class adds to the runner inside a learner's sandbox, read from what the sandbox was given (its
 * environment, the agent's marker file): the class's labs, images loaded by the agent, progress to the instructor.
 * The entry point hands it to the commands; the runner itself knows no class.
 */
import { existsSync } from 'node:fs';
import type { ClassHooks } from '../runner/commands/cli-context.js';
import { CLASS_LABS_ENV, IMAGES_LOADING_FILE, OUTBOX_ENV } from './sandbox-spec.js';

/** Longest wait for the class's images; then building them here is the way left. */
const IMAGES_WAIT_MS = 15 * 60_000;

export function classHooks(env: NodeJS.ProcessEnv = process.env, imagesLoadingFile = IMAGES_LOADING_FILE): ClassHooks {
  const labs = env[CLASS_LABS_ENV]?.split(',').filter(Boolean) ?? [];
  const outbox = env[OUTBOX_ENV];
  return {
    ...(labs.length ? { labs } : {}),
    // The sandbox is the learner's before its images are in: the agent marks the load, and the runner waits for it.
    imagesLoading: async (say) => {
      if (!existsSync(imagesLoadingFile)) return;
      say('Your class is loading the lab images into your sandbox…');
      const until = Date.now() + IMAGES_WAIT_MS;
      while (existsSync(imagesLoadingFile) && Date.now() < until) await new Promise((r) => setTimeout(r, 500));
    },
    ...(outbox
      ? {
          // Each session's events, as class events, into the outbox the sandbox's agent sends on.
          progressFor: async (lab) => {
            const [{ dropEvent }, { ProgressMapper }] = await Promise.all([import('./outbox.js'), import('./runner-progress.js')]);
            const mapper = new ProgressMapper(lab);
            return (e) => {
              for (const ce of mapper.map(e)) dropEvent(outbox, ce);
            };
          },
        }
      : {}),
  };
}
