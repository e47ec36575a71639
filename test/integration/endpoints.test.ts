import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerAdapter } from '../../runner/docker/adapter.js';
import { resolveEndpoint } from '../../runner/docker/endpoint.js';
import { cli, docker, NESTED_ENGINE, removeContainers } from './helpers.js';

/**
 * Engines reached the ways a learner's docker CLI reaches them, each against a real one made here: a dockerd in a
 * container listening on tcp with TLS (certificates made by this test), and an sshd in a container in front of this
 * machine's engine. Everything the test makes is under a temporary folder or labelled and removed at the end.
 */
const tag = `${process.pid}`;
const net = `ll-endpoints-${tag}`;
const tlsEngine = `ll-tls-engine-${tag}`;
const sshd = `ll-sshd-${tag}`;
const work = mkdtempSync(join(tmpdir(), 'll-endpoints-'));
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: work, stdio: 'pipe' });
const ipOf = async (name: string) => docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, name);

async function answers(env: NodeJS.ProcessEnv, withinMs: number): Promise<DockerAdapter> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const adapter = new DockerAdapter(resolveEndpoint(env));
    try {
      await adapter.ping();
      return adapter;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

/** A CA, a server certificate for `ip`, and client certificates, as `docker` and dockerd expect them. */
function makeCertificates(ip: string): { server: string; client: string; otherCa: string } {
  const server = join(work, 'server');
  const client = join(work, 'client');
  const otherCa = join(work, 'other-ca');
  for (const d of [server, client, otherCa]) mkdirSync(d, { recursive: true });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=lean-labs test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(server, 'server-key.pem'), '-out', 'server.csr', '-subj', '/CN=engine');
  writeFileSync(join(work, 'server.ext'), `subjectAltName=IP:${ip}\nextendedKeyUsage=serverAuth\n`);
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', join(server, 'server.pem'), '-days', '1', '-extfile', 'server.ext');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(client, 'key.pem'), '-out', 'client.csr', '-subj', '/CN=learner');
  writeFileSync(join(work, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', join(client, 'cert.pem'), '-days', '1', '-extfile', 'client.ext');
  copyFileSync(join(work, 'ca.pem'), join(server, 'ca.pem'));
  copyFileSync(join(work, 'ca.pem'), join(client, 'ca.pem'));
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(otherCa, 'ca-key.pem'), '-out', join(otherCa, 'ca.pem'), '-days', '1', '-subj', '/CN=another CA');
  copyFileSync(join(client, 'cert.pem'), join(otherCa, 'cert.pem'));
  copyFileSync(join(client, 'key.pem'), join(otherCa, 'key.pem'));
  return { server, client, otherCa };
}

beforeAll(async () => {
  const built = await cli(['images', 'build', 'sandbox', '--yes'], { CI: '1' });
  if (built.code !== 0) throw new Error(`the sandbox image did not build:\n${built.stdout}${built.stderr}`);
  await docker('network', 'create', '--label', 'lean-labs.test=endpoints', net);
}, 600_000);

afterAll(async () => {
  await docker('rm', '-fv', tlsEngine, sshd).catch(() => undefined);
  await docker('network', 'rm', net).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

describe('an engine on tcp with TLS', () => {
  let ip = '';
  let certs: ReturnType<typeof makeCertificates>;
  const tlsEnv = (dir: string, verify = true): NodeJS.ProcessEnv => ({
    DOCKER_HOST: `tcp://${ip}:2376`,
    ...(verify ? { DOCKER_TLS_VERIFY: '1' } : { DOCKER_TLS: '1' }),
    DOCKER_CERT_PATH: dir,
  });

  beforeAll(async () => {
    const certDir = join(work, 'server');
    mkdirSync(certDir, { recursive: true });
    await removeContainers(tlsEngine);
    // The engine waits for its certificates, which need its address.
    await docker(
      'run',
      '-d',
      '--name',
      tlsEngine,
      '--network',
      net,
      '--label',
      'lean-labs.test=endpoints',
      ...NESTED_ENGINE,
      '-v',
      `${certDir}:/certs:ro`,
      'lean-labs/sandbox',
      'sh',
      '-c',
      'until [ -f /certs/ready ]; do sleep 0.1; done; exec dockerd --host=tcp://0.0.0.0:2376 --tlsverify --tlscacert=/certs/ca.pem --tlscert=/certs/server.pem --tlskey=/certs/server-key.pem',
    );
    ip = await ipOf(tlsEngine);
    certs = makeCertificates(ip);
    writeFileSync(join(certDir, 'ready'), '');
    await answers(tlsEnv(certs.client), 60_000);
  }, 120_000);

  it('DOCKER_TLS_VERIFY with DOCKER_CERT_PATH: the engine answers, and doctor says how it was reached', async () => {
    const engine = new DockerAdapter(resolveEndpoint(tlsEnv(certs.client)));
    const info = await engine.info();
    expect(info.serverVersion).toMatch(/^26\./);
    expect(info.id).not.toBe((await new DockerAdapter(resolveEndpoint({})).info()).id);
    const doctor = await cli(['doctor'], tlsEnv(certs.client));
    expect(doctor.stdout).toContain(`✓ engine endpoint: tcp://${ip}:2376, TLS verified against ca.pem in ${certs.client} (from DOCKER_HOST)`);
    expect(doctor.stdout).toMatch(/✓ engine answers: Docker 26\./);
  });

  it("a docker context whose endpoint uses TLS, with the context's own certificate files", async () => {
    const config = join(work, 'docker-config');
    const hash = createHash('sha256').update('tls-remote').digest('hex');
    mkdirSync(join(config, 'contexts/meta', hash), { recursive: true });
    mkdirSync(join(config, 'contexts/tls', hash, 'docker'), { recursive: true });
    writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'tls-remote' }));
    writeFileSync(join(config, 'contexts/meta', hash, 'meta.json'), JSON.stringify({ Name: 'tls-remote', Metadata: {}, Endpoints: { docker: { Host: `tcp://${ip}:2376`, SkipTLSVerify: false } } }));
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) copyFileSync(join(certs.client, f), join(config, 'contexts/tls', hash, 'docker', f));
    const engine = await answers({ DOCKER_CONFIG: config }, 5000);
    expect(engine.resolved.source).toBe('docker context "tls-remote"');
    expect((await engine.info()).serverVersion).toMatch(/^26\./);
  });

  it('each way TLS goes wrong gets its own message and the fix', async () => {
    const said = async (env: NodeJS.ProcessEnv) => (await cli(['doctor'], env)).stdout.split('\n')[1];
    expect(await said({ DOCKER_HOST: `tcp://${ip}:2376` })).toBe(
      `✗ The engine at tcp://${ip}:2376 was not trusted over TLS: it speaks TLS, and lean-labs spoke plain HTTP to it (set DOCKER_TLS_VERIFY=1, as for the docker CLI).`,
    );
    expect(await said(tlsEnv(certs.otherCa))).toBe(`✗ The engine at tcp://${ip}:2376 was not trusted over TLS: its certificate is not signed by the CA in ca.pem.`);
    const caOnly = join(work, 'ca-only');
    mkdirSync(caOnly, { recursive: true });
    copyFileSync(join(certs.client, 'ca.pem'), join(caOnly, 'ca.pem'));
    expect(await said(tlsEnv(caOnly))).toBe(`✗ The engine at tcp://${ip}:2376 was not trusted over TLS: it asks for a client certificate, and none was sent (cert.pem and key.pem).`);
    expect(await said(tlsEnv(join(work, 'missing')))).toBe(`✗ DOCKER_HOST asks for TLS, but the certificate folder ${join(work, 'missing')} does not exist.`);
    // DOCKER_TLS alone encrypts without checking the engine's certificate, as the docker CLI does.
    expect(await said(tlsEnv(certs.otherCa, false))).toMatch(/^✓ engine answers: Docker 26\./);
  });
});

describe('an engine behind ssh://', () => {
  let env: NodeJS.ProcessEnv;
  const originalPath = process.env.PATH;
  const sshDir = join(work, 'ssh');
  /** An `ssh` first on PATH that uses this test's config, so nothing is read from or written to the user's ~/.ssh. */
  const sshOnPath = (name: string, config: string) => {
    const bin = join(sshDir, name);
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${join(sshDir, config)} "$@"\n`);
    chmodSync(join(bin, 'ssh'), 0o755);
    return `${bin}:${process.env.PATH}`;
  };

  beforeAll(async () => {
    mkdirSync(sshDir, { recursive: true });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(sshDir, 'id')]);
    copyFileSync(join(sshDir, 'id.pub'), join(sshDir, 'authorized_keys'));
    chmodSync(join(sshDir, 'authorized_keys'), 0o600);
    const socket = resolveEndpoint({}).socketPath;
    if (!socket) throw new Error("the ssh test puts an sshd in front of this machine's engine socket, and the engine here is not on one");
    await removeContainers(sshd);
    await docker(
      'run',
      '-d',
      '--name',
      sshd,
      '--network',
      net,
      '--label',
      'lean-labs.test=endpoints',
      '-v',
      `${socket}:/var/run/docker.sock`,
      '-v',
      `${join(sshDir, 'authorized_keys')}:/root/.ssh/authorized_keys:ro`,
      'lean-labs/sandbox',
      'sh',
      '-c',
      'ssh-keygen -A >/dev/null && exec /usr/sbin/sshd -D -e',
    );
    const ip = await ipOf(sshd);
    const config = (hostKeys: string) => `Host *\n  IdentityFile ${join(sshDir, 'id')}\n  UserKnownHostsFile ${join(sshDir, 'known_hosts')}\n  StrictHostKeyChecking ${hostKeys}\n  LogLevel ERROR\n`;
    writeFileSync(join(sshDir, 'trusting'), config('accept-new'));
    writeFileSync(join(sshDir, 'strict'), config('yes').replace('known_hosts', 'known_hosts_empty'));
    env = { DOCKER_HOST: `ssh://root@${ip}`, PATH: sshOnPath('bin', 'trusting') };
    // lean-labs runs `ssh` from PATH, in this process too: the test's ssh comes first while these tests run.
    process.env.PATH = env.PATH;
    await answers(env, 30_000);
  }, 120_000);

  afterAll(() => {
    process.env.PATH = originalPath;
  });

  it("doctor reaches this machine's engine through the ssh client and says so", async () => {
    const doctor = await cli(['doctor'], env);
    expect(doctor.stdout).toContain(`✓ engine endpoint: ${env.DOCKER_HOST}, through your ssh client running \`docker system dial-stdio\` there (from DOCKER_HOST)`);
    expect(doctor.stdout).toMatch(/✓ engine answers: Docker 26\./);
    const there = new DockerAdapter(resolveEndpoint(env));
    expect((await there.info()).id).toBe((await new DockerAdapter(resolveEndpoint({})).info()).id);
  });

  it('a whole lab verifies over ssh, its namespace checks read from inside the containers (no host /proc)', async () => {
    const run = await cli(['verify', 'namespaces'], env);
    expect(run.stdout, run.stdout + run.stderr).toContain('✔ namespaces passed');
    expect(run.code).toBe(0);
  }, 300_000);

  it('ssh that would have to ask (an unknown host key) is reported with what ssh said, never prompted', async () => {
    const doctor = await cli(['doctor'], { ...env, PATH: sshOnPath('strict-bin', 'strict') });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(
      /✗ No Docker engine answers at ssh:\/\/root@[\d.]+ \(from DOCKER_HOST\): `ssh -T -o BatchMode=yes .* docker system dial-stdio` ended with exit code 255: No \S+ host key is known for [\d.]+ and you have requested strict checking\./,
    );
  });
});
