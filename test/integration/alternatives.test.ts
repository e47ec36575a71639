import { describe, it } from 'vitest';
import { expectAllPass } from './attempt.js';

/**
 * Right answers typed differently from the labs' text (long flags, `--name=x`, `docker container …`, `--mount` for
 * `-v`, another program that reaches the step's goal), run on the real engine: every check of every step must
 * pass. The twin of the mistakes tests: a learner stuck on a red check they did right is as badly served as one
 * waved through.
 */
const WAIT_REDIS = (name: string) => `for i in $(seq 50); do docker exec ${name} redis-cli ping >/dev/null 2>&1 && break; sleep 0.2; done`;

describe('labs accept right answers typed differently', () => {
  it('first-container: docker container run, --name=, --detach and --force', async () => {
    await expectAllPass('first-container', {
      1: 'docker container run --name=fc-hello lean-labs/busybox echo hello from a container',
      2: 'time docker container run --name fc-quick lean-labs/busybox:latest true',
      3: 'docker container run --detach --name=fc-web lean-labs/web',
      5: 'docker container rm --force fc-hello fc-quick fc-web',
    });
  });

  it('first-container: create then start attached, and stop before rm', async () => {
    await expectAllPass('first-container', {
      1: 'docker create --name fc-hello lean-labs/busybox echo hello from a container\ndocker start -a fc-hello',
      4: `docker container exec fc-web sh -c 'printf "written at runtime\\n" > /usr/share/nginx/html/note.txt'`,
      5: 'docker stop fc-web\ndocker rm fc-hello fc-quick fc-web',
    });
  });

  it('namespaces: another long-running program, and the long option forms', async () => {
    await expectAllPass('namespaces', {
      1: 'docker container run --detach --name=ns-a lean-labs/toolbox tail -f /dev/null',
      2: 'docker run -d --name ns-pid --pid=container:ns-a lean-labs/toolbox sleep infinity',
      3: 'docker run -d --name ns-none --network=none lean-labs/toolbox sleep infinity',
      4: 'docker run -d --name ns-net --network container:ns-a lean-labs/toolbox sleep infinity',
      5: 'docker run -d --name ns-host -h lab-box lean-labs/toolbox sleep infinity',
      7: 'docker run -d --name ns-mnt --mount type=tmpfs,destination=/scratch lean-labs/toolbox sleep infinity',
    });
  });

  it('namespaces: a shell that runs the command, and ipc by its long forms', async () => {
    await expectAllPass('namespaces', {
      1: `docker run -d --name ns-a lean-labs/toolbox sh -c 'sleep infinity'`,
      6: [
        'docker run -d --name ns-ipc1 --ipc=shareable lean-labs/toolbox sleep infinity',
        'docker exec ns-ipc1 ipcmk --shmem 4096',
        'docker container run --detach --name ns-ipc2 --ipc=container:ns-ipc1 lean-labs/toolbox sleep infinity',
      ].join('\n'),
      8: 'docker container run --name=ns-user lean-labs/busybox cat /proc/self/uid_map',
    });
  });

  it('cgroups: --memory=, a CPU quota and period, and a read-only device', async () => {
    await expectAllPass('cgroups', {
      1: 'docker run -d --name cg-mem --memory=64m --memory-swap=64m lean-labs/toolbox sleep infinity',
      3: 'docker run -d --name cg-cpu --cpu-period 100000 --cpu-quota 50000 --cpu-shares=512 lean-labs/toolbox sleep infinity',
      4: 'docker run -d --name cg-pin --cpuset-cpus=0 lean-labs/toolbox sleep infinity',
      5: 'docker run -d --name cg-dev --device=/dev/zero:/dev/lab-zero:r lean-labs/toolbox sleep infinity',
    });
  });

  it('cgroups: sizes in bytes and capitals, and docker container run for the OOM kill', async () => {
    await expectAllPass('cgroups', {
      1: 'docker run -d --name cg-mem -m 67108864 --memory-swap 64M lean-labs/toolbox sleep infinity',
      2: 'docker container run --name cg-oom --memory 32m --memory-swap 32m lean-labs/toolbox tail /dev/zero || true',
    });
  });

  it('copy-on-write: one exec for all three changes, and commit with a message and a tag', async () => {
    await expectAllPass('copy-on-write', {
      1: 'docker container run --detach --name cow-a lean-labs/toolbox:latest sleep infinity',
      2: `docker exec cow-a sh -c 'echo "my note" > /root/note.txt; echo more >> /etc/motd; rm /etc/issue.net'`,
      3: 'docker container commit -m "a note" cow-a cow-image:latest',
    });
  });

  it('copy-on-write: a seq loop, and removal with the long forms', async () => {
    await expectAllPass('copy-on-write', {
      4: 'for i in $(seq 1 10); do docker run --detach --name "cow-$i" lean-labs/toolbox sleep infinity; done',
      5: `docker run -d --name cow-big lean-labs/toolbox sleep infinity\ndocker exec cow-big touch -c /usr/bin/bash`,
      6: 'docker container rm --force cow-a cow-big cow-1 cow-2 cow-3 cow-4 cow-5 cow-6 cow-7 cow-8 cow-9 cow-10\ndocker image rm cow-image',
    });
  });

  it('build-cache: a sed that also runs on macOS, and the app copied file by file', async () => {
    await expectAllPass('build-cache', {
      3: `sed -i.bak 's/app version 1/app version 2/' app/app.sh\nrm app/app.sh.bak\ndocker build --tag bc-app:v2 app`,
      4: [
        `printf 'FROM lean-labs/busybox\\nCOPY deps.txt /app/deps.txt\\nRUN sleep 4 && cat /app/deps.txt > /installed-deps.txt\\nCOPY app.sh /app/app.sh\\nCMD ["sh", "/app/app.sh"]\\n' > app/Dockerfile`,
        'docker image build -t bc-app:v3 app',
      ].join('\n'),
      5: `sed -i.bak 's/app version 2/app version 3/' app/app.sh\nrm app/app.sh.bak\ndocker image build -t bc-app:v4 app\ndocker container run --name=bc-run4 bc-app:v4`,
    });
  });

  it('build-cache: ADD for the app, and -f naming the Dockerfile', async () => {
    await expectAllPass('build-cache', {
      1: 'docker build -t bc-app:v1 -f app/Dockerfile app\ndocker run --name bc-run1 bc-app:v1',
      4: [
        `printf 'FROM lean-labs/busybox\\nWORKDIR /app\\nCOPY deps.txt ./\\nRUN sleep 4 && cat /app/deps.txt > /installed-deps.txt\\nADD . /app\\nCMD ["sh", "/app/app.sh"]\\n' > app/Dockerfile`,
        'docker build -t bc-app:v3 app',
      ].join('\n'),
    });
  });

  it('ship: --publish with the protocol, docker image push, and a pull by docker run', async () => {
    await expectAllPass('ship', {
      1: 'docker run --detach --name ship-registry --publish 127.0.0.1:5111:5000/tcp lean-labs/registry\nfor i in $(seq 50); do curl -sf http://localhost:5111/v2/_catalog && break; sleep 0.2; done',
      2: 'docker image build --tag localhost:5111/ship/app:v1 app\ndocker image push localhost:5111/ship/app:v1',
      3: `printf 'release two\\n' > app/message.txt\ndocker image build -t localhost:5111/ship/app:v2 app\ndocker image push localhost:5111/ship/app:v2`,
      4: 'docker image rm localhost:5111/ship/app:v2\ndocker container run --name ship-pulled localhost:5111/ship/app:v2',
    });
  });

  it('ship: the image tagged for the registry after building, and rmi/pull by their long names', async () => {
    await expectAllPass('ship', {
      2: 'docker build -t localhost:5111/ship/app:v1 app\ndocker tag localhost:5111/ship/app:v1 localhost:5111/ship/app:first\ndocker rmi localhost:5111/ship/app:first\ndocker push localhost:5111/ship/app:v1',
      4: 'docker image remove localhost:5111/ship/app:v2\ndocker image pull localhost:5111/ship/app:v2\ndocker run --name=ship-pulled localhost:5111/ship/app:v2',
    });
  });

  it('lean-images: docker image build with --file and --tag', async () => {
    await expectAllPass('lean-images', {
      1: 'docker image build --file Dockerfile.full --tag li-full .\ndocker container run --name=li-run-full li-full',
      2: 'docker image build --file ./Dockerfile.busybox --tag li-busybox:latest ./\ndocker run --name li-run-busybox li-busybox:latest',
      3: 'docker build -f Dockerfile.scratch -t li-scratch:latest .\ndocker run --name li-run-scratch li-scratch',
    });
  });

  it('lean-images: removal with docker image rm', async () => {
    await expectAllPass('lean-images', {
      4: 'docker container rm -f li-run-full li-run-busybox li-run-scratch\ndocker image rm li-full li-busybox li-scratch',
    });
  });

  it('immutable: stop and remove in two commands, and the tmpfs mounts written with --mount', async () => {
    await expectAllPass('immutable', {
      2: 'docker build -t im-site:v2 site-v2\ndocker stop im-web\ndocker rm im-web\ndocker run --detach --name im-web im-site:v2',
      3: 'docker container rm --force im-web\ndocker container run --detach --name=im-web im-site:v1',
      4: [
        'docker run -d --name im-ro --read-only --mount type=tmpfs,destination=/tmp --mount type=tmpfs,destination=/run --mount type=tmpfs,destination=/var/lib/nginx --mount type=tmpfs,destination=/var/log/nginx im-site:v2',
        '! docker exec im-ro touch /usr/share/nginx/html/hacked.html',
      ].join('\n'),
    });
  });

  it('immutable: --read-only=true and tmpfs with options', async () => {
    await expectAllPass('immutable', {
      1: 'docker image build --tag im-site:v1 ./site-v1\ndocker container run --detach --name im-web im-site:v1',
      4: 'docker run -d --name im-ro --read-only=true --tmpfs /tmp:rw,size=16m --tmpfs /run --tmpfs /var/lib/nginx --tmpfs /var/log/nginx:size=8m im-site:v2',
    });
  });

  it('logging: the default driver named, --log-driver=none, a volume by --mount', async () => {
    await expectAllPass('logging', {
      1: `docker run -d --name lg-chatty --log-driver json-file lean-labs/busybox sh -c 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.5; done'`,
      2: `docker run -d --name lg-silent --log-driver=none lean-labs/busybox sh -c 'while true; do echo "nobody reads this"; sleep 1; done'`,
      3: [
        'docker run -d --name lg-web --mount type=volume,target=/var/log/nginx lean-labs/web',
        `docker run --rm --net container:lg-web lean-labs/busybox sh -c 'wget -qO- http://localhost/ >/dev/null; wget -qO- http://localhost/ >/dev/null; wget -qO- http://localhost/missing || true'`,
      ].join('\n'),
      4: 'docker container run --detach --name lg-tail --volumes-from=lg-web lean-labs/logcollector',
    });
  });

  it('logging: sidekicks given the volumes read-only, and the shipper by --env and --net', async () => {
    await expectAllPass('logging', {
      5: 'docker run --name lg-stats --volumes-from lg-web:ro lean-labs/loganalyzer',
      6: [
        'docker network create lg-lan',
        'docker run -d -i --name lg-sink --network lg-lan lean-labs/busybox nc -l -p 5140',
        'docker container rm --force lg-tail',
        'sleep 1',
        'docker run --detach --name lg-ship --net lg-lan --volumes-from lg-web:ro --env SHIP_TO=lg-sink:5140 lean-labs/logcollector',
      ].join('\n'),
    });
  });

  it('backups: the backup volume by --mount and the network backup with long flags', async () => {
    await expectAllPass('backups', {
      2: 'docker run --name bk-files --volumes-from bk-db --mount source=bk-backups,target=/backup lean-labs/backup tar czf /backup/data.tgz -C /data .',
      4: 'docker run --name bk-net --network=bk-lan --memory 64m --memory-swap 64m --volume bk-backups:/backup lean-labs/backup redis-cli -h bk-db --rdb /backup/net.rdb',
    });
  });

  it('backups: the data read-only, and the restore started by create and start', async () => {
    await expectAllPass('backups', {
      2: 'docker run --name bk-files --volumes-from bk-db:ro -v bk-backups:/backup lean-labs/backup tar -czf /backup/data.tgz -C /data .',
      3: [
        'docker run --rm --volume bk-backups:/backup --volume bk-restore:/data lean-labs/backup tar -xzf /backup/data.tgz -C /data',
        'docker create --name bk-restored -v bk-restore:/data lean-labs/redis',
        'docker start bk-restored',
        WAIT_REDIS('bk-restored'),
      ].join('\n'),
    });
  });

  it('netdebug: only NET_ADMIN added (NET_RAW is a default), with --network container:', async () => {
    await expectAllPass('netdebug', {
      2: 'docker run -d --name nd-debug --network container:nd-web --cap-add NET_ADMIN lean-labs/netdebug sleep infinity',
      4: `docker run --name nd-reader --volumes-from nd-debug --cap-drop=all --cap-add=CAP_NET_RAW --cap-add=CAP_NET_ADMIN lean-labs/netdebug sh -c "tcpdump -nr /captures/web.pcap -A | grep 'GET /'"`,
    });
  });

  it('netdebug: the capabilities in the other order with =, and ngrep by --net=', async () => {
    await expectAllPass('netdebug', {
      2: 'docker container run --detach --name=nd-debug --net=container:nd-web --cap-add=NET_ADMIN --cap-add=NET_RAW lean-labs/netdebug sleep infinity',
      5: [
        `docker run -d --name nd-grep --net=container:nd-web --cap-add NET_ADMIN --cap-add NET_RAW lean-labs/netdebug ngrep -l -q -d eth0 'GET /' 'tcp port 80'`,
        'sleep 2',
        'docker run --rm --network nd-net lean-labs/busybox wget -q -O /dev/null http://nd-web/',
      ].join('\n'),
    });
  });

  it('config-and-signals: the volume by name in the editor, and nginx -s reload', async () => {
    await expectAllPass('config-and-signals', {
      2: `docker run --name cs-editor -v cs-conf:/conf lean-labs/busybox sed -i 's/config 1/config 2/' /conf/site.conf`,
      3: 'docker exec cs-web nginx -s reload',
    });
  });

  it('config-and-signals: --mount for the configuration, and the signal by its full name', async () => {
    await expectAllPass('config-and-signals', {
      1: 'docker run -d --name cs-web --mount source=cs-conf,target=/etc/nginx/conf.d lean-labs/web',
      3: 'docker container kill --signal=SIGHUP cs-web',
    });
  });

  it('ambassadors: --net and --net-alias, and the client by --network=', async () => {
    await expectAllPass('ambassadors', {
      2: 'docker run -d --name am-amb --net am-lan --net-alias redis --env ADMIN=8404 lean-labs/hamba 6379 am-redis1 6379',
      3: `docker run --detach --name am-client --network=am-lan lean-labs/backup sh -c 'while true; do redis-cli -h redis get whoami; sleep 1; done'`,
    });
  });

  it('ambassadors: a network made with its driver named, and docker container exec for the move', async () => {
    await expectAllPass('ambassadors', {
      1: [
        'docker network create --driver bridge am-lan',
        'docker run -d --name am-redis1 --network am-lan lean-labs/redis',
        WAIT_REDIS('am-redis1'),
        'docker exec am-redis1 redis-cli set whoami "the first redis"',
      ].join('\n'),
      4: [
        'docker container run --detach --name am-redis2 --network am-lan lean-labs/redis',
        WAIT_REDIS('am-redis2'),
        'docker exec am-redis2 redis-cli set whoami "the second redis"',
        'docker container exec am-amb hamba reconfigure 6379 am-redis2 6379',
      ].join('\n'),
    });
  });

  it('compose-stack: --detach and the file named, then the workers scaled with the service named', async () => {
    await expectAllPass('compose-stack', {
      1: 'docker compose -f compose.yaml up --detach webui',
      2: 'docker compose up --detach',
      3: 'docker compose up -d --scale worker=2 worker',
    });
  });

  it('compose-ambassadors: --detach, and the rewritten file by --file', async () => {
    await expectAllPass('compose-ambassadors', {
      1: 'docker compose up --detach',
      2: 'docker compose config --format=json > compose.json\nnode ambassadors.mjs hasher:80 < compose.json > compose.ambassadors.json\ndocker compose --file compose.ambassadors.json up --detach',
      3: 'node ambassadors.mjs rng:80 hasher:80 < compose.json > compose.ambassadors.json\ndocker compose --file compose.ambassadors.json up --detach',
    });
  });

  it('event-sidekicks: the socket by --mount, every capability dropped by its lowercase name, and rm by long flags', async () => {
    await expectAllPass('event-sidekicks', {
      1: [
        'docker run -d --name es-watcher --mount type=bind,source=/var/run/docker.sock,target=/var/run/docker.sock',
        '  --net none --read-only --cap-drop=all --security-opt no-new-privileges:true lean-labs/watcher',
      ].join(' \\\n'),
      2: [
        'docker container run --detach --name es-app1 --label es.logs=yes --volume /var/log/nginx lean-labs/web',
        'sleep 2',
        'docker run --rm --net container:es-app1 lean-labs/busybox wget -qO- http://localhost/ >/dev/null',
      ].join('\n'),
      5: 'docker container rm --force --volumes es-app1',
    });
  });

  it('event-sidekicks: the balancer given its settings with --env and = forms, and a shop stopped rather than removed', async () => {
    await expectAllPass('event-sidekicks', {
      6: [
        'docker network create es-lan',
        'docker run --detach --name es-lb --network=es-lan --env ADMIN=8404 lean-labs/hamba 80 127.0.0.1 1',
        'docker run -d --name es-balancer --mount type=bind,source=/var/run/docker.sock,target=/var/run/docker.sock --net=none --read-only --cap-drop=all --security-opt=no-new-privileges --env MODE=balancer --env BALANCER=es-lb lean-labs/watcher',
        'docker container run -d --name es-shop-1 --net es-lan --label=es.backend=web lean-labs/web',
        'docker container run -d --name es-shop-2 --net es-lan --label=es.backend=web lean-labs/web',
      ].join('\n'),
      7: 'docker container stop es-shop-1',
    });
  });
});
