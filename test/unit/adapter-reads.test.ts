/**
 * What the Docker adapter reads, against a stand-in engine on a unix socket in a temporary folder: one reading of
 * the engine's info serves the callers of the next second, with the engine's clock moved on, and a failed reading
 * is never kept; a container inspection on its way is shared, an answered one never reused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DockerAdapter } from '../../runner/docker/adapter.js';
import { closeStandInEngines, standInEngine } from './stand-in-engine.js';

afterEach(closeStandInEngines);

/** An engine whose clock is an hour ahead; `fail` makes its next /info answer an error. */
async function engine(): Promise<{ adapter: DockerAdapter; infoRequests: () => number; inspections: () => number; failNext: () => void }> {
  let requests = 0;
  let inspected = 0;
  let fail = false;
  const socketPath = await standInEngine((req, res) => {
    const path = (req.url ?? '').split('?')[0]!.replace(/^\/v[\d.]+/, '');
    res.setHeader('content-type', 'application/json');
    if (path === '/info') {
      requests++;
      if (fail) {
        fail = false;
        res.statusCode = 500;
        res.end(JSON.stringify({ message: 'engine is busy' }));
        return;
      }
      // Answered a little later, so that callers arrive while the reading is on its way.
      setTimeout(() => res.end(JSON.stringify({ ID: 'E1', Name: 'host', CgroupVersion: '2', SystemTime: new Date(Date.now() + 3_600_000).toISOString() })), 30);
    } else if (path === '/version') res.end(JSON.stringify({ Version: '26.1.5', ApiVersion: '1.45' }));
    else if (path === '/containers/other' && req.method === 'DELETE') {
      res.statusCode = 204;
      res.end();
    } else if (path === '/containers/web/json') {
      inspected++;
      const n = inspected;
      setTimeout(() => res.end(JSON.stringify({ Id: `id-${n}`, Name: '/web', State: { Running: true, Status: 'running' }, Config: {}, HostConfig: {} })), 30);
    } else {
      res.statusCode = 404;
      res.end(JSON.stringify({ message: 'not here' }));
    }
  });
  return {
    adapter: new DockerAdapter({ url: `unix://${socketPath}`, socketPath, source: 'the test' }),
    infoRequests: () => requests,
    inspections: () => inspected,
    failNext: () => (fail = true),
  };
}

describe("the engine's info", () => {
  it('is read once for the callers of the next second, with its clock moved on by the time since', async () => {
    const { adapter, infoRequests } = await engine();
    const [a, b] = await Promise.all([adapter.info(), adapter.info()]);
    expect(infoRequests(), 'a reading on its way is shared').toBe(1);
    expect(a).toMatchObject({ id: 'E1', serverVersion: '26.1.5', cgroupVersion: '2' });
    expect(Object.keys(a)).not.toContain('readAt');
    await new Promise((r) => setTimeout(r, 200));
    const c = await adapter.info();
    expect(infoRequests()).toBe(1);
    const skew = c.systemTime - Date.now();
    expect(skew, 'the engine is an hour ahead, and stays so').toBeGreaterThan(3_600_000 - 100);
    expect(skew).toBeLessThan(3_600_000 + 100);
    expect(c.systemTime - b.systemTime).toBeGreaterThanOrEqual(190);
  });

  it('is read again after a second, and after a failed reading', async () => {
    const { adapter, infoRequests, failNext } = await engine();
    failNext();
    await expect(adapter.info()).rejects.toThrow(/engine is busy/);
    await adapter.info();
    expect(infoRequests(), 'the failure was not kept').toBe(2);
    await new Promise((r) => setTimeout(r, 1_100));
    await adapter.info();
    expect(infoRequests()).toBe(3);
  });
});

describe('container inspections', () => {
  it('share a question on its way, and never reuse an answer', async () => {
    const { adapter, inspections } = await engine();
    const [a, b] = await Promise.all([adapter.inspectContainer('web'), adapter.inspectContainer('web')]);
    expect(inspections()).toBe(1);
    expect(a?.id).toBe('id-1');
    expect(b?.id).toBe('id-1');
    const c = await adapter.inspectContainer('web');
    expect(inspections(), 'asked again once answered').toBe(2);
    expect(c?.id).toBe('id-2');
    // A container this process removes: who asks once the removal is done is not handed a question asked before.
    const before = adapter.inspectContainer('web');
    await adapter.removeContainer('other');
    const after = adapter.inspectContainer('web');
    expect((await before)?.id).toBe('id-3');
    expect((await after)?.id).toBe('id-4');
    const [gone, again] = await Promise.all([adapter.inspectContainer('nothing'), adapter.inspectContainer('nothing')]);
    expect(gone).toBeNull();
    expect(again).toBeNull();
  });
});
