import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { learnerEnv, relayNames, sandboxNameServer } from '../../classroom/sandbox/cell.js';

const open: Array<() => void> = [];
afterEach(() => open.splice(0).forEach((close) => close()));

function udp(): Promise<Socket> {
  const s = createSocket('udp4');
  open.push(() => s.close());
  return new Promise((resolve) => s.bind(0, '127.0.0.1', () => resolve(s)));
}

describe("the cell's name relay", () => {
  it("answers each query with what the sandbox's resolver answered, to whoever asked", async () => {
    const resolver = await udp();
    resolver.on('message', (q, from) => resolver.send(Buffer.concat([Buffer.from('answer:'), q]), from.port, from.address));
    const relayPort = 20000 + (process.pid % 20000);
    open.push(relayNames('127.0.0.1', () => undefined, { address: '127.0.0.1', port: relayPort, upstreamPort: resolver.address().port }));
    const client = await udp();
    const got = new Promise<string>((resolve) => client.once('message', (m) => resolve(m.toString())));
    client.send(Buffer.from('where is deb.debian.org'), relayPort, '127.0.0.1');
    expect(await got).toBe('answer:where is deb.debian.org');
  });

  it('drops queries past its limit in flight instead of opening a socket for each (a cell that floods it)', async () => {
    const resolver = await udp();
    const seen: string[] = [];
    resolver.on('message', (q) => seen.push(q.toString())); // never answers: every query stays in flight
    const relayPort = 20001 + (process.pid % 20000);
    open.push(relayNames('127.0.0.1', () => undefined, { address: '127.0.0.1', port: relayPort, upstreamPort: resolver.address().port, maxInFlight: 5 }));
    const client = await udp();
    for (let i = 0; i < 50; i++) client.send(Buffer.from(`q${i}`), relayPort, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.length).toBe(5);
  });

  it("reads the sandbox's resolver from resolv.conf, and gives the cell nothing of the agent's environment", () => {
    expect(sandboxNameServer('search x\nnameserver 127.0.0.11\nnameserver 8.8.8.8\n')).toBe('127.0.0.11');
    expect(sandboxNameServer('')).toBe('127.0.0.11');
    const env = learnerEnv({ PATH: '/bin', LEAN_LABS_CLASS_URL: 'http://h:1', LEAN_LABS_SANDBOX_TOKEN: 'secret', LEAN_LABS_CLASS_LABS: 'ns', HOSTNAME: 'x' });
    expect(env).toMatchObject({ PATH: '/bin', LEAN_LABS_CLASS_LABS: 'ns', HOME: '/root' });
    expect(Object.keys(env)).not.toContain('LEAN_LABS_CLASS_URL');
    expect(Object.values(env)).not.toContain('secret');
  });
});
