/** Removing what a class made while its tasks are still shutting down: one policy for the manager and the nodes. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Removes each, retrying once a second until the deadline while a task that is shutting down still holds it. */
export async function removeAll(names: Array<{ id: string; name: string }>, remove: (id: string) => Promise<void>, deadline: number): Promise<{ removed: string[]; left: string[] }> {
  const removed: string[] = [];
  let left = [...names];
  while (left.length) {
    const still: typeof left = [];
    for (const n of left) {
      try {
        await remove(n.id);
        removed.push(n.name);
      } catch {
        still.push(n);
      }
    }
    left = still;
    if (!left.length || Date.now() > deadline) break;
    await sleep(1000);
  }
  return { removed, left: left.map((n) => n.name) };
}
