#!/usr/bin/env node
/**
 * The VM's ports on this machine, with many connections at once. QEMU's user networking accepts forwarded
 * connections with a listen backlog of one: a client that opens twenty at once (the adapter inspecting a lab's
 * names side by side, six `docker run`s in the background) has most of its SYNs dropped, and each waits out TCP's
 * retry back-off (1, 3, 7, 15 s...). Docker Desktop has no such limit. This gate listens with a full backlog and
 * passes each connection on to QEMU's port one connect at a time, so none is dropped.
 *
 * `node connect-gate.mjs LISTEN:TARGET...` (ports on 127.0.0.1). It says `listening` once every port is open, and
 * exits with a sentence when one is taken.
 */
import { connect, createServer } from 'node:net';

// What a run's teardown knows it by (/proc/PID/comm), so it never stops some other node process.
process.title = 'lean-labs-gate';

const pairs = process.argv.slice(2).map((p) => p.split(':').map(Number));
if (!pairs.length || pairs.some((p) => p.length !== 2 || p.some((n) => !Number.isInteger(n) || n <= 0))) {
  process.stderr.write('Usage: node connect-gate.mjs LISTEN:TARGET... (ports on 127.0.0.1)\n');
  process.exit(2);
}

/** How long QEMU is given to take a connection off its queue before the next is sent. */
const PACE_MS = Number(process.env.LEAN_LABS_GATE_PACE_MS ?? 15);

/** One connect to QEMU at a time: the next begins once the last is in (or refused), and QEMU has had a moment. */
let turn = Promise.resolve();
function upstream(port) {
  const mine = turn.then(
    () =>
      new Promise((resolve, reject) => {
        const s = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      }),
  );
  // The kernel completes a connect before QEMU has taken it from its one-place queue: the next waits a moment more.
  const pause = () => new Promise((r) => setTimeout(r, PACE_MS));
  turn = mine.then(pause, pause);
  return mine;
}

let open = 0;
for (const [listen, target] of pairs) {
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    client.on('error', () => undefined);
    upstream(target).then(
      (up) => {
        up.on('error', () => client.destroy());
        client.on('error', () => up.destroy());
        client.on('close', () => up.destroy());
        up.on('close', () => client.destroy());
        client.pipe(up);
        up.pipe(client);
        client.resume();
      },
      () => client.destroy(),
    );
  });
  server.once('error', (err) => {
    process.stderr.write(`port ${listen} on 127.0.0.1 is taken (${err.code}): stop what uses it, or run the VM where it is free\n`);
    process.exit(1);
  });
  server.listen({ port: listen, host: '127.0.0.1', backlog: 511 }, () => {
    if (++open === pairs.length) process.stdout.write('listening\n');
  });
}
