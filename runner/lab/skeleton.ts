import { existsSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { LAB_FILE } from './load.js';

const ID = /^[a-z0-9][a-z0-9-]{1,40}$/;

/**
 * A small lab that already verifies, with every field explained in a comment: the starting point of a new lab.
 * Its one container is named after the lab, so it cannot clash with another lab's names.
 */
export function skeletonLab(id: string): string {
  const box = `${id}-box`;
  return `---
# The lab format this file is written in; always 1 for now.
format: 1
# The lab's id: the name of its folder, and what learners type (npx lean-labs start ${id}).
id: ${id}
# Shown in the lab list and at the top of the runner.
title: ${id.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase())}
# One sentence: what the learner will have proven by the end.
summary: Start a container, then remove it, each step proven by the engine's state.
# How long a learner needs, in minutes.
duration: 5m
# Optional: where the lab stands in the list (labs without one come last).
# order: 20
# Lab images it runs (from images/): they are built before the lab starts.
images: [busybox]
# Optional: what the host must offer, e.g. [compose-v2].
# requires: []
# Optional: why it cannot run on Podman's Docker-compatible API (said there before it starts).
# podman: its builds need BuildKit, which the docker CLI cannot run against Podman
# Every name the lab's commands create. Only these (made while the lab is open) are the lab's to judge and remove;
# anything else with these names is the learner's and is never touched.
resources:
  containers: [${box}]
  # volumes: [${id}-data]
  # networks: [${id}-net]
  # images: [${id}-app:v1]
  # compose: [${id}]
---

# ${id}

Prose before the first \`##\` heading introduces the lab. Each \`##\` heading starts a step: its prose, a \`sh\` block
with what the learner types (verify runs it as the solution), and a \`check\` block that proves it on the engine.

\`\`\`cleanup
# Runs at the end of the lab (verify, reset): leave nothing behind, and remove anonymous volumes with -v.
docker rm -fv ${box} >/dev/null 2>&1 || true
\`\`\`

## Start a container

Start a container that keeps running, so there is something to look at:

\`\`\`sh
docker run -d --name ${box} lean-labs/busybox sleep 300
\`\`\`

\`\`\`check
# Each check must fail before the step and pass after it; verify proves both.
- kind: container
  container: ${box}
  state: running
  # Optional: what the runner and the reports call this check.
  title: ${box} is running
  # Optional: a sentence for the learner's likeliest mistake.
  message: Start it with -d, so it keeps running in the background.
\`\`\`

\`\`\`hint
Hints are revealed one at a time with h. Use -d and --name ${box}.
\`\`\`

## Remove it

\`\`\`sh
docker rm -fv ${box}
\`\`\`

\`\`\`check
- kind: container
  container: ${box}
  state: absent
  # Optional: keep judging this long after the step before failing (default 2s).
  within: 5s
\`\`\`
`;
}

/** Writes <dir>/<id>/lab.md; never over an existing lab. Returns the file written. */
export function writeSkeleton(dir: string, id: string): string {
  if (!ID.test(id)) throw new UserError(`"${id}" cannot be a lab id: use 2 to 41 lower-case letters, digits and dashes, starting with a letter or digit (e.g. my-volumes).`, 2);
  const labDir = join(dir, id);
  const file = join(labDir, LAB_FILE);
  if (existsSync(file)) throw new UserError(`${file} already exists; lean-labs never writes over a lab. Pick another id, or edit that one.`);
  writeFileAtomic(file, skeletonLab(id));
  return file;
}
