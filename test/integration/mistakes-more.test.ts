import { describe, expect, it } from 'vitest';
import { attempt } from './attempt.js';

/**
 * A second likely mistake for every lab (mistakes.test.ts holds the first): each is run on the real engine after the
 * lab's earlier steps, and the step's checks must reject it with what the learner needs to read.
 */
describe('labs reject a second likely mistake each', () => {
  it('first-container: the note written in a throwaway container instead of fc-web', async () => {
    const failures = await attempt('first-container', {
      solvedSteps: 3,
      wrong: `docker run --rm lean-labs/web sh -c 'echo "written at runtime" > /usr/share/nginx/html/note.txt'`,
      judgeStep: 4,
    });
    const text = failures.join('\n');
    expect(text).toMatch(/docker diff fc-web lists A \/usr\/share\/nginx\/html\/note\.txt/);
    expect(text).toContain('Write the file inside fc-web with docker exec.');
  });

  it('cgroups: the CPU capped but its weight left at the default', async () => {
    const failures = await attempt('cgroups', { solvedSteps: 2, wrong: 'docker run -d --name cg-cpu --cpus 0.5 lean-labs/toolbox sleep infinity', judgeStep: 3 });
    expect(failures.join('\n')).toContain('cpu-shares default (1024)');
  });

  it('copy-on-write: committing an unchanged container as cow-image', async () => {
    const failures = await attempt('copy-on-write', {
      solvedSteps: 2,
      wrong: 'docker run -d --name cow-1 lean-labs/toolbox sleep infinity && docker commit cow-1 cow-image',
      judgeStep: 3,
    });
    const text = failures.join('\n');
    expect(text).toContain('it does not hold /root/note.txt');
    expect(text).toContain('Commit cow-a (the container you changed) as cow-image.');
  });

  it('build-cache: rebuilding before changing the app', async () => {
    const failures = await attempt('build-cache', { solvedSteps: 2, wrong: 'docker build -q -t bc-app:v2 app', judgeStep: 3 });
    const text = failures.join('\n');
    expect(text).toMatch(/it shares its bottom \d+ of \d+ layers with bc-app:v1/);
    expect(text).toContain('Change app/app.sh before building bc-app:v2.');
  });

  it('lean-images: the busybox-based build tagged as the scratch image', async () => {
    const failures = await attempt('lean-images', {
      solvedSteps: 2,
      wrong: 'docker build -q -t li-scratch -f Dockerfile.busybox .\ndocker run --name li-run-scratch li-scratch',
      judgeStep: 3,
    });
    const text = failures.join('\n');
    expect(text).toMatch(/it has \d+ layers/);
    expect(text).toContain('/bin/sh');
  });

  it('immutable: the tmpfs mounts without --read-only', async () => {
    const failures = await attempt('immutable', {
      solvedSteps: 3,
      wrong: 'docker run -d --name im-ro --tmpfs /tmp --tmpfs /run --tmpfs /var/lib/nginx --tmpfs /var/log/nginx im-site:v2',
      judgeStep: 4,
    });
    expect(failures.join('\n')).toContain('the root filesystem is writable');
  });

  it('ship: running the image that is still there locally, so nothing is pulled', async () => {
    const failures = await attempt('ship', { solvedSteps: 3, wrong: 'docker run --name ship-pulled localhost:5111/ship/app:v2', judgeStep: 4 });
    expect(failures.join('\n')).toContain('Pull the image from the registry (remove the local copy first, or nothing is fetched).');
  });

  it('ship: pulling again without removing the local copy first, or after removing another image', async () => {
    for (const wrong of [
      'docker pull localhost:5111/ship/app:v2\ndocker run --name ship-pulled localhost:5111/ship/app:v2',
      'docker rmi localhost:5111/ship/app:v1\ndocker pull localhost:5111/ship/app:v2\ndocker run --name ship-pulled localhost:5111/ship/app:v2',
    ]) {
      const failures = await attempt('ship', { solvedSteps: 3, wrong, judgeStep: 4 });
      expect(failures.join('\n')).toContain('Pull the image from the registry (remove the local copy first, or nothing is fetched).');
    }
  });

  it('backups: the restored database started without the restored volume', async () => {
    const failures = await attempt('backups', {
      solvedSteps: 2,
      wrong: [
        'docker run --rm -v bk-backups:/backup -v bk-restore:/data lean-labs/backup tar xzf /backup/data.tgz -C /data',
        'docker run -d --name bk-restored lean-labs/redis',
        'for i in $(seq 50); do docker exec bk-restored redis-cli ping >/dev/null 2>&1 && break; sleep 0.2; done',
      ].join('\n'),
      judgeStep: 3,
    });
    const text = failures.join('\n');
    expect(text).toMatch(/`redis-cli dbsize` exits with 0; its output matches \/\^3\$\/m, but it printed: 0/);
    expect(text).toContain('Unpack the archive into bk-restore before starting bk-restored on it');
  });

  it('logging: the silent container started with the default log driver', async () => {
    const failures = await attempt('logging', {
      solvedSteps: 1,
      wrong: `docker run -d --name lg-silent lean-labs/busybox sh -c 'while true; do echo "nobody reads this"; sleep 1; done'`,
      judgeStep: 2,
    });
    expect(failures.join('\n')).toContain('log driver json-file');
  });

  it('compose-stack: scaling to three workers where two were asked', async () => {
    const failures = await attempt('compose-stack', { solvedSteps: 2, wrong: 'docker compose up -d --scale worker=3', judgeStep: 3 });
    expect(failures.join('\n')).toMatch(/measured with 2 worker running, but 3 worker running/);
  });

  it('compose-ambassadors: bringing up the original file instead of the rewritten one', async () => {
    const failures = await attempt('compose-ambassadors', {
      solvedSteps: 1,
      wrong: ['docker compose config --format json > compose.json', 'node ambassadors.mjs hasher:80 < compose.json > compose.ambassadors.json', 'docker compose -f compose.json up -d'].join('\n'),
      judgeStep: 2,
    });
    expect(failures.join('\n')).toMatch(/service hasherproxy of stack ambcoins has 1 running, but 0 running/);
  });

  it('event-sidekicks: the watcher keeps its capabilities', async () => {
    const failures = await attempt('event-sidekicks', {
      solvedSteps: 0,
      wrong: 'docker run -d --name es-watcher -v /var/run/docker.sock:/var/run/docker.sock --network none --read-only lean-labs/watcher',
      judgeStep: 1,
    });
    const text = failures.join('\n');
    expect(text).toMatch(/capability ALL dropped; a read-only root filesystem; security option no-new-privileges, but dropped capabilities: none; security options: none/);
    expect(text).toContain('--network none --read-only --cap-drop ALL');
  });
});
