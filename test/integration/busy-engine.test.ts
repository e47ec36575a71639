import { afterAll, describe, expect, it } from 'vitest';
import { DockerAdapter } from '../../runner/docker/adapter.js';
import { loadCatalog } from '../../runner/images/catalog.js';
import { cli, docker } from './helpers.js';

/**
 * A learner's engine is busy, and the engine keeps only its last 256 events. Here the test tags an image over and
 * over while a lab verifies, so the lab's own events are gone from the engine's memory before its checks read them.
 * The lab (config-and-signals counts the server's starts) still verifies, judged from the session's own record.
 */
const NOISE = 'll-busy-noise:tag';
const adapter = new DockerAdapter();

afterAll(() => docker('rmi', NOISE).catch(() => undefined));

describe('a busy engine', () => {
  it('verifies a lab that counts events while the engine forgets them', async () => {
    const busybox = loadCatalog('images').get('busybox')!.tag;
    let busy = true;
    let tags = 0;
    const noise = (async () => {
      while (busy) {
        await adapter.tagImage(busybox, NOISE);
        tags++;
      }
    })();
    const started = Date.now();
    const r = await cli(['verify', 'config-and-signals']);
    busy = false;
    await noise;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('✓ start events of cs-web: count 1');
    // The proof that the engine could not have answered: its memory no longer holds cs-web's start.
    const since = (started / 1000).toFixed(3);
    const left = await docker('events', '--since', since, '--until', (Date.now() / 1000).toFixed(3), '--filter', 'container=cs-web', '--filter', 'event=start', '--format', '{{.Action}}');
    expect(left, `${tags} tags made`).toBe('');
  });
});
