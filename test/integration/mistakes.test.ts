import { describe, expect, it } from 'vitest';
import { attempt } from './attempt.js';

/**
 * For each lab, a wrong but plausible attempt, run against the real engine: the step's checks must reject it
 * with the message a learner would read.
 */
describe('labs reject the mistakes learners usually make', () => {
  it('first-container: a long-running command where a one-shot was asked', async () => {
    const failures = await attempt('first-container', { solvedSteps: 1, wrong: 'docker run -d --name fc-quick lean-labs/busybox sleep 30', judgeStep: 2 });
    expect(failures.join('\n')).toMatch(/it has not exited \(running\)/);
    expect(failures.join('\n')).toContain('run it without -d');
  });

  it('namespaces: sharing the network namespace when the pid one was asked', async () => {
    const failures = await attempt('namespaces', {
      solvedSteps: 1,
      wrong: 'docker run -d --name ns-pid --net container:ns-a lean-labs/toolbox sleep infinity',
      judgeStep: 2,
    });
    const text = failures.join('\n');
    expect(text).toContain('Give ns-pid the option --pid container:ns-a.');
    expect(text).toMatch(/pid: ns-a is in pid:\[\d+\], ns-pid in pid:\[\d+\] \(different\)/);
  });

  it('cgroups: a memory limit without --memory-swap', async () => {
    const failures = await attempt('cgroups', { solvedSteps: 0, wrong: 'docker run -d --name cg-mem -m 64m lean-labs/toolbox sleep infinity', judgeStep: 1 });
    const text = failures.join('\n');
    expect(text).toContain('memory+swap limit is 128m (swap adds as much again as the memory limit: --memory-swap was left out)');
    expect(text).toContain('Give --memory-swap 64m too (the total of memory and swap)');
  });

  it('copy-on-write: changing files in another container than cow-a', async () => {
    const failures = await attempt('copy-on-write', {
      solvedSteps: 1,
      wrong: `docker run --name cow-big lean-labs/toolbox sh -c 'echo "my note" > /root/note.txt && rm /etc/issue.net'`,
      judgeStep: 2,
    });
    expect(failures.join('\n')).toMatch(/expected docker diff cow-a lists A \/root\/note\.txt.*but it lists no changes/);
    expect(failures.join('\n')).toContain('Make all three changes inside cow-a with docker exec.');
  });

  it('build-cache: a Dockerfile ordered so the dependency install never comes from the cache', async () => {
    const failures = await attempt('build-cache', {
      solvedSteps: 3,
      wrong: ['docker build -q -t bc-app:v3 app', "sed -i 's/app version 2/app version 3/' app/app.sh", 'docker build -q -t bc-app:v4 app', 'docker run --name bc-run4 bc-app:v4'].join('\n'),
      judgeStep: 5,
    });
    expect(failures.join('\n')).toMatch(/it shares its bottom 2 of 4 layers with bc-app:v3/);
    expect(failures.join('\n')).toContain('must reuse the install layer');
  });

  it('lean-images: one stage, so the toolchain ships', async () => {
    const failures = await attempt('lean-images', { solvedSteps: 1, wrong: 'docker build -q -t li-busybox -f Dockerfile.full .\ndocker run --name li-run-busybox li-busybox', judgeStep: 2 });
    const text = failures.join('\n');
    expect(text).toMatch(/expected image li-busybox exists; it is at most 10m, but it is [\d.]+MB as docker images shows it \([\d.]+ MiB\)/);
    expect(text).toMatch(/expected no file \/usr\/bin\/gcc in li-run-busybox, but \/usr\/bin\/gcc exists/);
  });

  it('immutable: repairing the running container instead of replacing it', async () => {
    const failures = await attempt('immutable', {
      solvedSteps: 1,
      wrong: `docker build -q -t im-site:v2 site-v2\ndocker exec im-web sh -c 'echo "<h1>Site release 2</h1>" > /usr/share/nginx/html/index.html'`,
      judgeStep: 2,
    });
    expect(failures, failures.join('\n---\n')).toHaveLength(1);
    expect(failures[0]).toContain('it runs image im-site:v1');
    expect(failures[0]).toContain('changing files inside the old one does not count');
  });

  it('ship: pushing an image whose name does not point at the local registry', async () => {
    const failures = await attempt('ship', {
      solvedSteps: 1,
      wrong: 'docker build -q -t ship-app:v1 app\ntimeout 20 docker push ship-app:v1',
      judgeStep: 2,
      cleanup: 'docker rmi ship-app:v1',
    });
    expect(failures.join('\n')).toContain('it answered 404');
    expect(failures.join('\n')).toContain('Push localhost:5111/ship/app:v1 (build it under that name first).');
  });

  it("netdebug: the capture sidekick started in its own network namespace, not the server's", async () => {
    const failures = await attempt('netdebug', {
      solvedSteps: 1,
      wrong: 'docker run -d --name nd-debug --network nd-net --cap-add NET_RAW --cap-add NET_ADMIN lean-labs/netdebug sleep infinity',
      judgeStep: 2,
    });
    const text = failures.join('\n');
    expect(text).toContain("Join nd-web's network namespace (--net container:nd-web) and add only NET_RAW and NET_ADMIN, never --privileged.");
    expect(text).toContain("The sidekick should see the web server's listening socket on port 80.");
  });

  it("namespaces: both shared-memory containers in the host's ipc namespace instead of a private shared one", async () => {
    const failures = await attempt('namespaces', {
      solvedSteps: 5,
      wrong: 'docker run -d --name ns-ipc1 --ipc host lean-labs/toolbox sleep infinity && docker run -d --name ns-ipc2 --ipc host lean-labs/toolbox sleep infinity',
      judgeStep: 6,
    });
    const text = failures.join('\n');
    expect(text).toContain('expected ipc mode shareable, but ipc mode is host');
    expect(text).toContain('expected ipc mode container:ns-ipc1, but ipc mode is host');
    expect(text).toContain("--ipc host would share the host's instead.");
  });

  it('netdebug: a capability more than the two the capture needs', async () => {
    const failures = await attempt('netdebug', {
      solvedSteps: 1,
      wrong: 'docker run -d --name nd-debug --net container:nd-web --cap-add NET_RAW --cap-add NET_ADMIN --cap-add SYS_ADMIN lean-labs/netdebug sleep infinity',
      judgeStep: 2,
    });
    expect(failures.join('\n')).toMatch(
      /it holds NET_ADMIN, NET_RAW, and no capability beyond Docker's defaults and those; not privileged, but added capabilities: NET_ADMIN, NET_RAW, SYS_ADMIN; SYS_ADMIN is more than the step needs\n/,
    );
  });

  it('netdebug: the reader started without --cap-drop ALL', async () => {
    const failures = await attempt('netdebug', {
      solvedSteps: 3,
      wrong: 'docker run --name nd-reader --volumes-from nd-debug --cap-add NET_RAW --cap-add NET_ADMIN lean-labs/netdebug sh -c "tcpdump -nr /captures/web.pcap -A | grep \'GET /\'"',
      judgeStep: 4,
    });
    const text = failures.join('\n');
    expect(text).toMatch(/capability ALL dropped; not privileged, but dropped capabilities: none\n/);
    expect(text).toContain('dropping every capability (--cap-drop ALL)');
  });

  it('config-and-signals: an anonymous volume where the named one was asked', async () => {
    const failures = await attempt('config-and-signals', {
      solvedSteps: 0,
      wrong: 'docker run -d --name cs-web -v /etc/nginx/conf.d lean-labs/web',
      judgeStep: 1,
    });
    const text = failures.join('\n');
    expect(text).toMatch(/expected volume cs-conf mounted at \/etc\/nginx\/conf\.d, but mounts: \/etc\/nginx\/conf\.d \(anonymous volume\)/);
    expect(text).toContain('a bare path makes an anonymous volume');
  });

  it('ambassadors: the ambassador without --network-alias redis', async () => {
    const failures = await attempt('ambassadors', {
      solvedSteps: 1,
      wrong: 'docker run -d --name am-amb --network am-lan -e ADMIN=8404 lean-labs/hamba 6379 am-redis1 6379',
      judgeStep: 2,
    });
    const text = failures.join('\n');
    expect(text).toMatch(/expected am-amb is attached to network am-lan; it answers to redis on am-lan, but its names there are am-amb, [0-9a-f]{12}\n/);
    expect(text).toContain('with --network-alias redis');
  });

  it('ambassadors: the ambassador relaying to a port where nothing listens', async () => {
    const failures = await attempt('ambassadors', {
      solvedSteps: 1,
      wrong: 'docker run -d --name am-amb --network am-lan --network-alias redis -e ADMIN=8404 lean-labs/hamba 6379 am-redis1 6380',
      judgeStep: 2,
    });
    expect(failures.join('\n')).toContain('the statistics say L4CON when nothing answers there');
  });

  it('config-and-signals: restarting the server instead of sending it SIGHUP', async () => {
    const failures = await attempt('config-and-signals', { solvedSteps: 2, wrong: 'docker restart -t 1 cs-web\nsleep 1', judgeStep: 3 });
    expect(failures, failures.join('\n---\n')).toHaveLength(1);
    expect(failures[0]).toContain('expected exactly 1 start events of cs-web, but the engine recorded 2 since the lab began');
    expect(failures[0]).toContain('docker restart stops and starts it instead');
  });

  it('backups: a network backup without a memory cap', async () => {
    const failures = await attempt('backups', {
      solvedSteps: 3,
      wrong: 'docker run --name bk-net --network bk-lan -v bk-backups:/backup lean-labs/backup redis-cli -h bk-db --rdb /backup/net.rdb',
      judgeStep: 4,
    });
    expect(failures, failures.join('\n---\n')).toHaveLength(1);
    expect(failures[0]).toContain('memory limit is no limit');
    expect(failures[0]).toContain('Run the backup on bk-lan with -m 64m --memory-swap 64m.');
  });

  it('ambassadors: recreating the client pointed at the new Redis instead of reconfiguring the ambassador', async () => {
    const failures = await attempt('ambassadors', {
      solvedSteps: 3,
      wrong: [
        'docker run -d --name am-redis2 --network am-lan lean-labs/redis',
        'for i in $(seq 50); do docker exec am-redis2 redis-cli ping >/dev/null 2>&1 && break; sleep 0.2; done',
        'docker exec am-redis2 redis-cli set whoami "the second redis"',
        'docker rm -f am-client',
        "docker run -d --name am-client --network am-lan lean-labs/backup sh -c 'while true; do redis-cli -h am-redis2 get whoami; sleep 1; done'",
        'sleep 2',
      ].join('\n'),
      judgeStep: 4,
    });
    expect(failures, failures.join('\n---\n')).toHaveLength(1);
    expect(failures[0]).toContain('the engine recorded 2 since the lab began');
    expect(failures[0]).toContain('The client must not be restarted or recreated; only the ambassador changes.');
  });

  it('logging: restarting the app while swapping its log collector', async () => {
    const failures = await attempt('logging', {
      solvedSteps: 5,
      wrong: [
        'docker network create lg-lan',
        'docker run -d -i --name lg-sink --network lg-lan lean-labs/busybox nc -l -p 5140',
        'docker rm -f lg-tail',
        'docker restart -t 1 lg-web',
        'sleep 1',
        'docker run -d --name lg-ship --network lg-lan --volumes-from lg-web -e SHIP_TO=lg-sink:5140 lean-labs/logcollector',
      ].join('\n'),
      judgeStep: 6,
    });
    const text = failures.join('\n');
    expect(text).toContain('the engine recorded 2 since the lab began');
    expect(text).toContain('Swap the sidekicks only; the web server keeps running and is never restarted.');
  });

  it('compose-stack: a second worker started by hand with a Compose-like name instead of scaling', async () => {
    const failures = await attempt('compose-stack', {
      solvedSteps: 2,
      wrong: 'docker run -d --name coins-worker-2 --network coins_default lean-labs/worker',
      judgeStep: 3,
      cleanup: 'docker rm -f coins-worker-2',
    });
    expect(failures, failures.join('\n---\n')).toHaveLength(1);
    expect(failures[0]).toContain('it is measured with 2 worker running, but 1 worker running');
    expect(failures[0]).toContain('a container started by hand is not part of the stack');
  });

  it('compose-ambassadors: bringing the rewritten stack up with --force-recreate, so nothing is left alone', async () => {
    const failures = await attempt('compose-ambassadors', {
      solvedSteps: 1,
      wrong: [
        'docker compose config --format json > compose.json',
        'node ambassadors.mjs hasher:80 < compose.json > compose.ambassadors.json',
        'docker compose -f compose.ambassadors.json up -d --force-recreate',
        'sleep 3',
      ].join('\n'),
      judgeStep: 2,
    });
    const text = failures.join('\n');
    expect(failures, failures.join('\n---\n')).toHaveLength(4);
    for (const service of ['hasher', 'rng', 'redis', 'webui'])
      expect(text).toContain(
        `service ${service} of stack ambcoins has 1 running; its containers were created before hasherproxy's (left as they were); each of its containers was created once since the lab began (none replaced), but 2 were created for the 1 there: Compose replaced 1`,
      );
    expect(text).toContain('The rewrite must leave hasher as it was, so Compose keeps its container.');
  });

  it('event-sidekicks: labelling the app that was meant to go without a sidekick', async () => {
    const failures = await attempt('event-sidekicks', {
      solvedSteps: 2,
      wrong: 'docker run -d --name es-plain --label es.logs=1 -v /var/log/nginx lean-labs/web\nsleep 3',
      judgeStep: 3,
    });
    expect(failures, failures.join('\n---\n')).toHaveLength(1);
    expect(failures[0]).toContain('container es-plain-logs still exists (running)');
    expect(failures[0]).toContain('Only containers labelled es.logs get a sidekick; es-plain has no label.');
  });
});
