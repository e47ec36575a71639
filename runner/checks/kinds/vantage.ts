import type { CheckContext } from '../types.js';
import { flapping } from '../flapping.js';
import type { ContainerFacts } from '../../docker/port.js';

/** Where a helper container asks from: inside a container's network namespace, or on a network. */
export type Vantage = { readonly networkMode: string; readonly from?: ContainerFacts } | { readonly problem: string };

/**
 * Resolves `from` (a running container, joined by its id) or `network` (which must exist) into the network mode of
 * a helper container; the http and dns kinds ask their questions from there.
 */
export async function vantage(f: { readonly from?: string; readonly network?: string }, ctx: CheckContext): Promise<Vantage> {
  if (f.from) {
    const c = await ctx.docker.inspectContainer(f.from);
    if (!c) return { problem: `there is no container named ${f.from}` };
    if (!c.state.running) return { problem: `container ${f.from} is not running` };
    const restarting = flapping(c);
    if (restarting) return { problem: `container ${f.from}: ${restarting}` };
    return { networkMode: `container:${c.id}`, from: c };
  }
  if (f.network && !(await ctx.docker.inspectNetwork(f.network))) return { problem: `there is no network named ${f.network}` };
  return { networkMode: f.network ?? 'none' };
}
