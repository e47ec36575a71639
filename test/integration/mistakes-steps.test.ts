import { describe, expect, it } from 'vitest';
import { attempt } from './attempt.js';

/**
 * Wrong attempts that used to pass at their step, or only failed a step later: each must now fail at its own step,
 * with the message that tells the learner what to do.
 */
/** event-sidekicks' balancer, its relay and two shops started with these options (the step's commands otherwise). */
const balancerWith = (shop1: string, shop2: string): string =>
  [
    'docker network create es-lan',
    'docker run -d --name es-lb --network es-lan -e ADMIN=8404 lean-labs/hamba 80 127.0.0.1 1',
    'docker run -d --name es-balancer -v /var/run/docker.sock:/var/run/docker.sock --network none --read-only --cap-drop ALL --security-opt no-new-privileges -e MODE=balancer -e BALANCER=es-lb lean-labs/watcher',
    `docker run -d --name es-shop-1 ${shop1} lean-labs/web`,
    `docker run -d --name es-shop-2 ${shop2} lean-labs/web`,
    'sleep 2',
  ].join('\n');

describe('labs reject mistakes at the step where they are made', () => {
  it('first-container: the one-shot run timed with -d', async () => {
    const failures = await attempt('first-container', { solvedSteps: 1, wrong: 'time docker run -d --name fc-quick lean-labs/busybox true\nsleep 1', judgeStep: 2 });
    const text = failures.join('\n');
    expect(text).toContain('it was started detached (-d): docker run returned before the command ran');
    expect(text).toContain('so `time` measures the whole run, not just the start');
  });

  it('namespaces: --init puts another program at PID 1', async () => {
    const failures = await attempt('namespaces', { solvedSteps: 0, wrong: 'docker run -d --init --name ns-a lean-labs/toolbox sleep infinity', judgeStep: 1 });
    const text = failures.join('\n');
    expect(text).toMatch(/PID 1 is `\/sbin\/docker-init -- sleep infinity` \(--init puts a tiny init first\)/);
    expect(text).toContain('without --init, which puts a tiny init there first');
  });

  it('cgroups: the device file bind-mounted instead of handed over with --device', async () => {
    const failures = await attempt('cgroups', { solvedSteps: 4, wrong: 'docker run -d --name cg-dev -v /dev/zero:/dev/lab-zero lean-labs/toolbox sleep infinity', judgeStep: 5 });
    expect(failures, failures.join('\n---\n')).toHaveLength(1);
    expect(failures[0]).toContain('devices: none (a bind mount of a device file is not --device)');
    expect(failures[0]).toContain('a bind mount of the device file (-v) goes around the devices controller');
  });

  it('copy-on-write: the ten containers started from the committed image', async () => {
    const failures = await attempt('copy-on-write', {
      solvedSteps: 3,
      wrong: 'for i in 1 2 3 4 5 6 7 8 9 10; do docker run -d --name cow-$i cow-image sleep infinity; done',
      judgeStep: 4,
    });
    expect(failures.join('\n')).toMatch(/expected container cow-10 is running; it runs image lean-labs\/toolbox.*, but it runs image cow-image/);
  });

  it('build-cache: five layers, but the app copied before the install', async () => {
    const failures = await attempt('build-cache', {
      solvedSteps: 3,
      wrong: [
        `printf 'FROM lean-labs/busybox\\nCOPY deps.txt /app/deps.txt\\nCOPY . /app\\nRUN sleep 4 && cat /app/deps.txt > /installed-deps.txt\\nCMD ["sh", "/app/app.sh"]\\n' > app/Dockerfile`,
        'docker build -q -t bc-app:v3 app',
      ].join('\n'),
      judgeStep: 4,
    });
    const text = failures.join('\n');
    expect(text).toMatch(/the step matching \/COPY\|ADD\/ comes too early: /);
    expect(text).toContain('install (the RUN), and only then copy the rest of the app');
  });

  it('ship: the registry published on every interface', async () => {
    const failures = await attempt('ship', {
      solvedSteps: 0,
      wrong: 'docker run -d --name ship-registry -p 5111:5000 lean-labs/registry\nfor i in $(seq 50); do curl -sf http://localhost:5111/v2/_catalog && break; sleep 0.2; done',
      judgeStep: 1,
    });
    expect(failures, failures.join('\n---\n')).toHaveLength(1);
    expect(failures[0]).toContain('published: every interface:5111->5000/tcp (on every interface: anyone who reaches this machine reaches it)');
    expect(failures[0]).toContain('-p 5111:5000 opens it to every network this machine is on');
  });

  it('ship: v2 pushed without changing the app, so nothing new travels', async () => {
    const failures = await attempt('ship', {
      solvedSteps: 2,
      wrong: 'docker build -q -t localhost:5111/ship/app:v2 app\ndocker push localhost:5111/ship/app:v2',
      judgeStep: 3,
    });
    expect(failures, failures.join('\n---\n')).toHaveLength(1);
    expect(failures[0]).toMatch(/but 0 do \(\d+ in all, \d+ before\)/);
    expect(failures[0]).toContain('change app/message.txt before you build v2');
  });

  it('lean-images: the toolchain image run as the lean one', async () => {
    const failures = await attempt('lean-images', { solvedSteps: 1, wrong: 'docker build -q -t li-busybox -f Dockerfile.busybox .\ndocker run --name li-run-busybox li-full', judgeStep: 2 });
    expect(failures.join('\n')).toMatch(/expected no file \/usr\/bin\/gcc in li-run-busybox, but \/usr\/bin\/gcc exists/);
  });

  it('immutable: the rollback started from release 2 again', async () => {
    const failures = await attempt('immutable', { solvedSteps: 2, wrong: 'docker rm -f im-web\ndocker run -d --name im-web im-site:v2', judgeStep: 3 });
    const text = failures.join('\n');
    expect(text).toContain('expected container im-web is running; it runs image im-site:v1, but it runs image im-site:v2');
  });

  it('logging: a sidekick with a log volume of its own, which reads nothing', async () => {
    const failures = await attempt('logging', { solvedSteps: 3, wrong: 'docker run -d --name lg-tail -v /var/log/nginx lean-labs/logcollector', judgeStep: 4 });
    const text = failures.join('\n');
    expect(text).toContain('expected volumes from lg-web, but volumes from no container');
    expect(text).toMatch(/expected its logs contain .*GET \/missing/);
  });

  it('backups: the restored database started before the files were restored', async () => {
    const failures = await attempt('backups', {
      solvedSteps: 2,
      wrong: [
        'docker run -d --name bk-restored -v bk-restore:/data lean-labs/redis',
        'for i in $(seq 50); do docker exec bk-restored redis-cli ping >/dev/null 2>&1 && break; sleep 0.2; done',
        'docker run --rm -v bk-backups:/backup -v bk-restore:/data lean-labs/backup tar xzf /backup/data.tgz -C /data',
      ].join('\n'),
      judgeStep: 3,
    });
    const text = failures.join('\n');
    expect(text).toContain('Redis reads dump.rdb only at start');
  });

  it('config-and-signals: the file edited inside the server instead of from a sidekick', async () => {
    const failures = await attempt('config-and-signals', { solvedSteps: 1, wrong: `docker exec cs-web sed -i 's/config 1/config 2/' /etc/nginx/conf.d/site.conf`, judgeStep: 2 });
    expect(failures, failures.join('\n---\n')).toHaveLength(1);
    expect(failures[0]).toContain('there is no container named cs-editor');
  });

  it('ambassadors: the second Redis given the name redis too, so lookups bypass the ambassador', async () => {
    const failures = await attempt('ambassadors', {
      solvedSteps: 3,
      wrong: [
        'docker run -d --name am-redis2 --network am-lan --network-alias redis lean-labs/redis',
        'for i in $(seq 50); do docker exec am-redis2 redis-cli ping >/dev/null 2>&1 && break; sleep 0.2; done',
        'docker exec am-redis2 redis-cli set whoami "the second redis"',
        'docker exec am-amb hamba reconfigure 6379 am-redis2 6379',
        'sleep 3',
      ].join('\n'),
      judgeStep: 4,
    });
    const text = failures.join('\n');
    expect(text).toMatch(/is another container answering to the same name/);
    expect(text).toContain('Start am-redis2 without --network-alias redis');
  });

  it('compose-stack: the whole stack started where only webui was asked', async () => {
    const failures = await attempt('compose-stack', { solvedSteps: 0, wrong: 'docker compose up -d', judgeStep: 1 });
    const text = failures.join('\n');
    expect(text).toMatch(/expected service worker of stack coins has 0 running, but 1 running/);
    expect(text).toContain('Start only webui (and what it needs) for now');
  });

  it('compose-ambassadors: the second rewrite names rng only, leaving the old hasher proxy beside the stack', async () => {
    const failures = await attempt('compose-ambassadors', {
      solvedSteps: 2,
      wrong: 'node ambassadors.mjs rng:80 < compose.json > compose.ambassadors.json\ndocker compose -f compose.ambassadors.json up -d',
      judgeStep: 3,
      cleanup: 'docker compose -f compose.ambassadors.json down -v --remove-orphans',
    });
    expect(failures.join('\n')).toContain('Name both services in one rewrite (hasher:80 rng:80)');
  });

  it('event-sidekicks: the sidekick started by hand for an unlabelled app', async () => {
    const failures = await attempt('event-sidekicks', {
      solvedSteps: 1,
      wrong: [
        'docker run -d --name es-app1 -v /var/log/nginx lean-labs/web',
        'docker run -d --name es-app1-logs --volumes-from es-app1 lean-labs/logcollector',
        'sleep 2',
        'docker run --rm --net container:es-app1 lean-labs/busybox wget -qO- http://localhost/ >/dev/null',
      ].join('\n'),
      judgeStep: 2,
    });
    const text = failures.join('\n');
    expect(text).toContain('it has no label es.sidekick-for');
    expect(text).toContain('a sidekick started by hand is not the point');
    expect(text).toContain('The watcher says so in its logs when it starts a sidekick');
  });

  it('event-sidekicks: a shop started without the label the balancer follows', async () => {
    const failures = await attempt('event-sidekicks', {
      solvedSteps: 5,
      wrong: balancerWith('--network es-lan --label es.backend=shop', '--network es-lan'),
      judgeStep: 6,
    });
    const text = failures.join('\n');
    expect(text).toContain('Label both apps es.backend=shop');
    expect(text).toContain("Start both apps on es-lan, the relay's network");
  });

  it("event-sidekicks: the shops left off the relay's network", async () => {
    const failures = await attempt('event-sidekicks', {
      solvedSteps: 5,
      wrong: balancerWith('--label es.backend=shop', '--label es.backend=shop'),
      judgeStep: 6,
    });
    expect(failures.join('\n')).toContain("Start both apps on es-lan, the relay's network, so it can reach them by name.");
  });

  it('event-sidekicks: the app stopped where it should be removed', async () => {
    const failures = await attempt('event-sidekicks', { solvedSteps: 4, wrong: 'docker stop -t 1 es-app1\nsleep 2', judgeStep: 5 });
    expect(failures, failures.join('\n---\n')).toHaveLength(1);
    expect(failures[0]).toContain('container es-app1 still exists (exited)');
    expect(failures[0]).toContain('a stopped container is still there');
  });
});
