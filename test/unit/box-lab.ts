/** A two-step lab about one container, for tests of the interactive runner on a scripted engine. */
export const BOX_LAB = `---
format: 1
id: boxes
title: Boxes
summary: Two steps about a container.
duration: 5m
resources:
  containers: [bx-a]
---

# Boxes

Some words before the first step.

## Start a box

Run it:

\`\`\`sh
true
\`\`\`

\`\`\`check
- kind: container
  container: bx-a
  state: running
  message: Start bx-a detached.
\`\`\`

\`\`\`hint
Use docker run -d.
\`\`\`

\`\`\`hint
The name is bx-a.
\`\`\`

## Stop the box

\`\`\`sh
echo stopping
\`\`\`

\`\`\`check
- kind: container
  container: bx-a
  state: exited
\`\`\`
`;
