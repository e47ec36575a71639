import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../runner/images/catalog.js';
import { cli, docker, removeContainers } from './helpers.js';

/**
 * A learner's engine is busy: here a container whose health check runs every 50 ms fills the engine's memory of
 * events (its last 256) within seconds. A lab whose checks count events (config-and-signals: the server started
 * once) still verifies, judged from the session's own record of the events.
 */
const NOISY = 'll-busy-noise';
const BUSYBOX = loadCatalog('images').get('busybox')!.tag;

afterAll(() => removeContainers(NOISY));

describe('a busy engine', () => {
  it('verifies a lab that counts events while another container makes hundreds of them', async () => {
    await removeContainers(NOISY);
    await docker('run', '-d', '--name', NOISY, '--label', 'lean-labs.test=busy', '--health-cmd', 'true', '--health-interval', '50ms', BUSYBOX, 'sleep', '600');
    // Each health check is three events (exec_create, exec_start, exec_die): well past 256 in a few seconds.
    await new Promise((r) => setTimeout(r, 6000));
    const since = Math.floor(Date.now() / 1000) - 6;
    const noise = (await docker('events', '--since', String(since), '--until', String(since + 6), '--filter', `container=${NOISY}`, '--format', '{{.Action}}')).split('\n').filter(Boolean);
    expect(noise.length, 'the noise really fills the engine\'s memory of events').toBeGreaterThan(256);
    const r = await cli(['verify', 'config-and-signals']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('✓ start events of cs-web: count 1');
  });
});
