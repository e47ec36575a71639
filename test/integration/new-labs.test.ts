import { describe, expect, it } from 'vitest';
import { attempt, expectAllPass } from './attempt.js';

/**
 * The four labs of the talk's later chapters (security, health checks, containers talking without the network, the
 * Compose dev loop): the likely mistakes fail at their own step with the learner's message, and right answers typed
 * differently pass every check.
 */
const HC_COMPOSE = (dependsOn: string) => `cat > compose.yaml <<'YAML'
name: hc
services:
  db:
    image: lean-labs/redis
    healthcheck:
      test: ["CMD", "redis-cli", "ping"]
      interval: 1s
      retries: 20
  app:
    image: lean-labs/backup
    command: sh -c 'redis-cli -h db set app-started yes && exec sleep infinity'
    depends_on:
${dependsOn}
YAML`;

describe('security', () => {
  it('mistake: dropping one capability where all were asked', async () => {
    const failures = await attempt('security', { solvedSteps: 1, wrong: 'docker run -d --name sec-none --cap-drop NET_RAW lean-labs/toolbox sleep infinity', judgeStep: 2 });
    const text = failures.join('\n');
    expect(text).toContain('expected capability ALL dropped, but dropped capabilities: NET_RAW');
    expect(text).toContain('With every capability dropped the mask is all zeros');
  });

  it('mistake: leaving root for another user, so the lesson about uid 0 is lost', async () => {
    const failures = await attempt('security', { solvedSteps: 1, wrong: 'docker run -d --name sec-none --cap-drop ALL --user nobody lean-labs/toolbox sleep infinity', judgeStep: 2 });
    expect(failures, failures.join('\n---\n')).toHaveLength(1);
    expect(failures[0]).toContain('Stay root (no --user)');
  });

  it('mistake: the challenge answered by adding CHOWN to the default set', async () => {
    const failures = await attempt('security', { solvedSteps: 2, wrong: 'docker run -d --name sec-chown --cap-add CHOWN lean-labs/toolbox sleep infinity', judgeStep: 3 });
    const text = failures.join('\n');
    expect(text).toContain('Drop all of them, then add back only the one that changes file owners.');
    expect(text).toContain('CHOWN is capability number 0, so the mask of it alone is 1.');
  });

  it('mistake: no-new-privileges, but still root', async () => {
    const failures = await attempt('security', { solvedSteps: 5, wrong: 'docker run -d --name sec-nnp --security-opt no-new-privileges lean-labs/toolbox sleep infinity', judgeStep: 6 });
    expect(failures.join('\n')).toContain('expected security option no-new-privileges; it runs as user nobody, but it runs as root (no --user, and the image sets no USER)');
  });

  it('right answers: lowercase names with the CAP_ prefix, = forms, and the old colon form of seccomp', async () => {
    await expectAllPass('security', {
      2: 'docker container run --detach --name=sec-none --cap-drop=all lean-labs/toolbox sleep infinity',
      3: 'docker run -d --name sec-chown --cap-drop all --cap-add cap_chown lean-labs/toolbox tail -f /dev/null',
      5: `docker run --name sec-userns --user=1000:1000 --security-opt seccomp:unconfined lean-labs/toolbox unshare -U -r sh -c 'cat /proc/self/uid_map; id -u'`,
    });
  });

  it('right answers: a uid for the user, no-new-privileges=true, and cat for head', async () => {
    await expectAllPass('security', {
      6: 'docker run -d --name sec-nnp --user 65534 --security-opt no-new-privileges=true lean-labs/toolbox sleep infinity',
      7: `docker container run --name sec-disk lean-labs/toolbox sh -c 'mknod /tmp/sda b 8 0; cat /tmp/sda' || true`,
    });
  });
});

describe('healthchecks', () => {
  it('mistake: the stack brought up with the file unchanged', async () => {
    const failures = await attempt('healthchecks', { solvedSteps: 2, wrong: 'docker compose up -d', judgeStep: 3 });
    const text = failures.join('\n');
    expect(text).toContain('it depends on db (service_started)');
    expect(text).toContain("Give app's depends_on the long form");
  });

  it('mistake: on-failure without a retry limit', async () => {
    const failures = await attempt('healthchecks', { solvedSteps: 3, wrong: `docker run -d --name hc-crash --restart on-failure lean-labs/busybox sh -c 'sleep 1; exit 1'`, judgeStep: 4 });
    expect(failures.join('\n')).toContain('restart policy on-failure (no retry limit)');
  });

  it('mistake: restarting the unhealthy container by hand', async () => {
    const failures = await attempt('healthchecks', { solvedSteps: 1, wrong: 'docker exec hc-web rm /www/index.html\ndocker restart -t 1 hc-web\nsleep 3', judgeStep: 2 });
    expect(failures.join('\n')).toContain('Do not restart hc-web; watch what the engine does on its own (nothing).');
  });

  it('mistake: always where unless-stopped was asked', async () => {
    const failures = await attempt('healthchecks', {
      solvedSteps: 4,
      wrong: `docker run -d --name hc-svc --restart always lean-labs/busybox sh -c 'sleep 2; exit 0'\nsleep 5\ndocker stop -t 1 hc-svc`,
      judgeStep: 5,
    });
    expect(failures.join('\n')).toContain('expected restart policy unless-stopped, but restart policy always');
  });

  it('right answers: long flags, the condition with restart: true and up --wait', async () => {
    await expectAllPass('healthchecks', {
      1: 'docker image build --tag hc-web ./web\ndocker container run --detach --name=hc-web hc-web:latest',
      3: `${HC_COMPOSE('      db:\n        condition: service_healthy\n        restart: true')}\ndocker compose up --detach --wait`,
      4: `docker run --detach --name hc-crash --restart=on-failure:3 lean-labs/busybox sh -c 'sleep 1; exit 1'`,
    });
  });

  it('right answers: the page moved away, the mapping in flow style, and docker container stop', async () => {
    await expectAllPass('healthchecks', {
      2: 'docker exec hc-web mv /www/index.html /www/old.html',
      3: `${HC_COMPOSE('      db: { condition: service_healthy }')}\ndocker compose up -d`,
      5: `docker run -d --name hc-svc --restart=unless-stopped lean-labs/busybox sh -c 'sleep 2; exit 0'\nsleep 8\ndocker container stop --time 1 hc-svc`,
    });
  });
});

describe('talking', () => {
  it('mistake: the client on a network of its own, where 127.0.0.1 is its own loopback', async () => {
    const failures = await attempt('talking', {
      solvedSteps: 0,
      wrong: `docker run -d --name tk-web lean-labs/busybox sh -c 'mkdir -p /www && echo "only on loopback" > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www'\nsleep 1\ndocker run --name tk-local lean-labs/busybox wget -qO- http://127.0.0.1:8080/ || true`,
      judgeStep: 1,
    });
    expect(failures.join('\n')).toContain('on a network of its own, 127.0.0.1 is its own loopback');
  });

  it("mistake: the client without the server's volume", async () => {
    const failures = await attempt('talking', {
      solvedSteps: 1,
      wrong:
        'docker run -d --name tk-redis --network none lean-labs/redis redis-server --port 0 --unixsocket /data/redis.sock --dir /data\nsleep 1\ndocker run --name tk-ping --network none lean-labs/backup redis-cli -s /data/redis.sock ping || true',
      judgeStep: 2,
    });
    const text = failures.join('\n');
    expect(text).toContain('expected network mode none; volumes from tk-redis, but volumes from no container');
    expect(text).toContain('redis-cli -s /data/redis.sock talks to the socket file');
  });

  it('mistake: the challenge tried from a container of its own ipc namespace', async () => {
    const failures = await attempt('talking', {
      solvedSteps: 2,
      // The step's setup has started tk-shm, as the runner does when the learner reaches it.
      wrong: 'docker run --name tk-shmread lean-labs/busybox cat /dev/shm/note || true',
      judgeStep: 3,
    });
    const text = failures.join('\n');
    expect(text).toContain('expected ipc mode container:tk-shm, but ipc mode is private');
    expect(text).toContain('/dev/shm comes with it');
  });

  it("mistake: a published port where the host's network was asked", async () => {
    const failures = await attempt('talking', {
      solvedSteps: 3,
      wrong: `docker run -d --name tk-host -p 127.0.0.1:48080:48080 lean-labs/busybox sh -c 'mkdir -p /www && echo "on the host" > /www/index.html && exec httpd -f -p 48080 -h /www'`,
      judgeStep: 4,
    });
    const text = failures.join('\n');
    expect(text).toContain('Start tk-host with --net host.');
    expect(text).toContain("sees the engine's docker0 bridge");
  });

  it('right answers: --network container:, --net none and PING in capitals, --network host', async () => {
    await expectAllPass('talking', {
      1: `docker run -d --name tk-web lean-labs/busybox sh -c 'mkdir -p /www && echo "only on loopback" > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www'\nsleep 1\ndocker container run --name=tk-local --network container:tk-web lean-labs/busybox wget -O - http://127.0.0.1:8080/`,
      2: 'docker run -d --name tk-redis --net none lean-labs/redis redis-server --port 0 --unixsocket /data/redis.sock --dir /data\nsleep 1\ndocker run --name tk-ping --net=none --volumes-from tk-redis lean-labs/backup redis-cli -s /data/redis.sock PING',
      4: `docker run -d --name tk-host --network host lean-labs/busybox sh -c 'mkdir -p /www && echo "on the host" > /www/index.html && exec httpd -f -p 127.0.0.1:48080 -h /www'`,
    });
  });

  it('right answers: the note read by a shell, and the volume mounted read-only', async () => {
    await expectAllPass('talking', {
      2: 'docker run -d --name tk-redis --network none lean-labs/redis redis-server --port 0 --unixsocket /data/redis.sock --dir /data\nsleep 1\ndocker run --name tk-ping --network=none --volumes-from=tk-redis:ro lean-labs/backup redis-cli -s /data/redis.sock ping',
      3: `docker container run --name=tk-shmread --ipc=container:tk-shm lean-labs/busybox sh -c 'cat /dev/shm/note'`,
    });
  });
});

describe('compose-dev', () => {
  it('mistake: web brought up again without --build', async () => {
    const failures = await attempt('compose-dev', { solvedSteps: 2, wrong: 'echo "version 2" > web/version.txt\ndocker compose up -d web', judgeStep: 3 });
    expect(failures.join('\n')).toContain('Rebuild the image (--build)');
  });

  it('mistake: everything recreated where one service was asked', async () => {
    const failures = await attempt('compose-dev', { solvedSteps: 2, wrong: 'echo "version 2" > web/version.txt\ndocker compose up -d --build --force-recreate', judgeStep: 3 });
    const text = failures.join('\n');
    expect(text).toMatch(/Compose replaced 1/);
    expect(text).toContain('Only web changes');
  });

  it('mistake: the challenge answered with a port on every interface', async () => {
    const failures = await attempt('compose-dev', {
      solvedSteps: 3,
      wrong: `sed -i.bak 's#^    build: ./web#    build: ./web\\n    ports:\\n      - "8099:80"#' compose.yaml\nrm compose.yaml.bak\ndocker compose up -d`,
      judgeStep: 4,
    });
    const text = failures.join('\n');
    expect(text).toContain('(on every interface: anyone who reaches this machine reaches it)');
    expect(text).toContain('"8099:80" would open it to every network this machine is on');
  });

  it('mistake: the stack taken down and up again for a page edit', async () => {
    const failures = await attempt('compose-dev', { solvedSteps: 1, wrong: `echo '<h1>changed while it runs</h1>' > site/index.html\ndocker compose down\ndocker compose up -d`, judgeStep: 2 });
    expect(failures.join('\n')).toContain('An edit to a mounted file needs no rebuild and no new container.');
  });

  it('right answers: build and up as two commands, and build of one service', async () => {
    await expectAllPass('compose-dev', {
      1: 'docker compose build\ndocker compose up --detach\ndocker run --rm --network devloop_default lean-labs/busybox wget -qO- http://web/site/',
      3: 'echo "version 2" > web/version.txt\ndocker compose build web\ndocker compose up -d web',
    });
  });

  it('right answers: printf for echo, the long port syntax, and down with --volumes', async () => {
    await expectAllPass('compose-dev', {
      2: `printf '<h1>changed while it runs</h1>\\n' > site/index.html`,
      4: [
        "cat > compose.yaml <<'YAML'",
        'name: devloop',
        'services:',
        '  web:',
        '    build: ./web',
        '    ports:',
        '      - target: 80',
        '        published: "8099"',
        '        host_ip: 127.0.0.1',
        '    volumes:',
        '      - ./site:/srv/site',
        '  cache:',
        '    image: lean-labs/redis',
        'YAML',
        'docker compose up -d web',
      ].join('\n'),
      5: 'docker compose down --volumes --rmi local',
    });
  });
});
