/**
 * The one module that talks to the Docker engine. Everything else sees DockerPort and our own errors.
 */
import type Docker from 'dockerode';
import { readFile as readHostFile, readlink } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import { commonJs } from '../common-js.js';
import { clientOptions } from './client-options.js';
import { resolveEndpoint, type Endpoint } from './endpoint.js';
import { DockerError, EngineTlsError, EngineUnreachableError, isNotFound, NotAnEngineError, translate } from './errors.js';
import { demuxBuffer, firstFileFromTar } from './demux.js';
import { BuildStreamReader } from './build-stream.js';
import { containerFacts, containerSummary, engineEvent, engineInfo, imageFacts, imageSummary, type Json, labelFilters, networkFacts, volumeFacts } from './mapping.js';
import type {
  BuildProgress,
  ContainerFacts,
  ContainerSummary,
  DockerPort,
  EngineEvent,
  HistoryType,
  EngineInfo,
  ExecResult,
  HelperRun,
  ImageFacts,
  ImagePort,
  LabelFilter,
  NamedResourceFacts,
  PastEvent,
} from './port.js';

function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** How long a request/answer call to the engine may take before the engine counts as not answering. */
const CALL_DEADLINE_MS = 60_000;
const PING_DEADLINE_MS = 5_000;
/** How long one reading of the engine's info answers every caller. */
const INFO_REUSE_MS = 1_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string, error?: () => Error): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error?.() ?? new DockerError(`${what} took longer than ${ms / 1000} s`)), ms);
    timer.unref?.();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * dockerode's connection layer reads DOCKER_HOST, DOCKER_CERT_PATH and friends itself when a client is made, and
 * merges (or throws on) what it finds there. lean-labs resolves the endpoint once (endpoint.ts), so the client is
 * made with those variables out of sight; they are back before anything else runs (lab commands need them).
 */
function withoutEngineEnv<T>(make: () => T): T {
  const names = ['DOCKER_HOST', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY', 'DOCKER_PATH_PREFIX', 'DOCKER_CLIENT_TIMEOUT'];
  const saved = names.map((n) => [n, process.env[n]] as const);
  for (const n of names) delete process.env[n];
  try {
    return make();
  } finally {
    for (const [n, v] of saved) if (v !== undefined) process.env[n] = v;
  }
}

export class DockerAdapter implements DockerPort, ImagePort {
  readonly endpoint: string;
  readonly resolved: Endpoint;
  private client: Docker | undefined;
  private readonly inspecting = new Map<string, Promise<ContainerFacts | null>>();
  private lastInfo: { readonly at: number; readonly info: Promise<EngineInfo & { readAt: number }> } | undefined;

  constructor(endpoint: Endpoint = resolveEndpoint()) {
    this.resolved = endpoint;
    this.endpoint = endpoint.url;
  }

  /**
   * The dockerode client, loaded on first use: `list` and the runner's first frame never need it.
   */
  get docker(): Docker {
    if (!this.client) {
      const DockerClient = commonJs<typeof Docker>(() => require('dockerode'), 'dockerode');
      this.client = withoutEngineEnv(() => new DockerClient(clientOptions(this.resolved)));
    }
    return this.client;
  }

  /**
   * Every request/answer call has a deadline: an address that accepts connections but never answers must not
   * hang a command. Streams (builds, imports, event watches) pass Infinity and have their own limits.
   */
  private async call<T>(what: string, fn: () => Promise<T>, deadlineMs = CALL_DEADLINE_MS): Promise<T> {
    try {
      return Number.isFinite(deadlineMs) ? await withTimeout(fn(), deadlineMs, what, () => this.noAnswer(deadlineMs)) : await fn();
    } catch (err) {
      if (err instanceof EngineUnreachableError) throw err;
      throw translate(err, this.endpoint, what, this.resolved.source);
    }
  }

  /** `call`, with "no such thing" (HTTP 404, kept on the translated error) answered as null. */
  private async orNull<T>(what: string, fn: () => Promise<T>): Promise<T | null> {
    try {
      return await this.call(what, fn);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  private noAnswer(ms: number): EngineUnreachableError {
    return new EngineUnreachableError(this.endpoint, `no answer within ${ms / 1000} s`, this.resolved.source);
  }

  /** Asks the engine whether it is there; the socket is dropped after PING_DEADLINE_MS, so nothing hangs. */
  async ping(): Promise<void> {
    let answer: unknown;
    try {
      answer = await (this.docker.ping as (o: object) => Promise<unknown>).call(this.docker, { abortSignal: AbortSignal.timeout(PING_DEADLINE_MS) });
    } catch (err) {
      const e = err as { name?: string; statusCode?: number; json?: unknown; message?: string };
      if (e.name === 'AbortError' || e.name === 'TimeoutError') throw this.noAnswer(PING_DEADLINE_MS);
      if (e.statusCode === 400 && /HTTPS server/i.test(`${JSON.stringify(e.json ?? '')} ${e.message ?? ''}`))
        throw new EngineTlsError(this.endpoint, 'it speaks TLS, and lean-labs spoke plain HTTP to it (set DOCKER_TLS_VERIFY=1, as for the docker CLI)');
      if (e.statusCode !== undefined) throw new NotAnEngineError(this.endpoint, `HTTP ${e.statusCode} to GET /_ping`, this.resolved.source);
      if (/parse error|HPE_/i.test(`${(err as { code?: string }).code ?? ''} ${e.message ?? ''}`)) throw new NotAnEngineError(this.endpoint, 'something other than HTTP', this.resolved.source);
      throw translate(err, this.endpoint, 'ping the engine', this.resolved.source);
    }
    const text = Buffer.isBuffer(answer) ? answer.toString('utf8') : String(answer ?? '');
    if (text.trim() !== 'OK') throw new NotAnEngineError(this.endpoint, `"${text.trim().slice(0, 60)}" to GET /_ping instead of OK`, this.resolved.source);
  }

  /**
   * What the engine says about itself. One reading serves every caller for INFO_REUSE_MS (a command that asks at
   * start, and the checks that ask as they judge, cost one request, which takes the engine 20-30 ms): a reading
   * still on its way is shared, a failed one is not kept, and the clock it reports is moved on by the time since.
   */
  async info(): Promise<EngineInfo> {
    let reading = this.lastInfo;
    if (!reading || Date.now() - reading.at > INFO_REUSE_MS) {
      const fresh = { at: Date.now(), info: this.readInfo() };
      this.lastInfo = reading = fresh;
      fresh.info.catch(() => {
        if (this.lastInfo === fresh) this.lastInfo = undefined;
      });
    }
    const { readAt, ...answer } = await reading.info;
    return { ...answer, systemTime: answer.systemTime + (Date.now() - readAt) };
  }

  private async readInfo(): Promise<EngineInfo & { readAt: number }> {
    const [info, version] = await this.call('read engine info', () => Promise.all([this.docker.info() as Promise<Json>, this.docker.version() as Promise<Json>]));
    return { readAt: Date.now(), ...engineInfo(info, version) };
  }

  /**
   * A container as the engine describes it now. The checks of a step, judged side by side, ask about the same
   * containers at once: a question still on its way is shared by whoever asks it meanwhile, so no answer is older
   * than that question's round trip (an answer already given is never reused).
   */
  inspectContainer(nameOrId: string): Promise<ContainerFacts | null> {
    const asking = this.inspecting.get(nameOrId);
    if (asking) return asking;
    const answer = this.orNull(`inspect container ${nameOrId}`, () => this.docker.getContainer(nameOrId).inspect())
      .then((raw) => (raw ? containerFacts(raw as Json) : null))
      .finally(() => this.inspecting.delete(nameOrId));
    this.inspecting.set(nameOrId, answer);
    return answer;
  }

  async listContainers(labels: LabelFilter): Promise<ContainerSummary[]> {
    const list = (await this.call('list containers', () => this.docker.listContainers({ all: true, filters: { label: labelFilters(labels) } }))) as Json[];
    return list.map(containerSummary);
  }

  async exec(container: string, cmd: readonly string[], timeoutMs = 30_000): Promise<ExecResult> {
    return this.call(
      `run \`${cmd.join(' ')}\` in ${container}`,
      async () => {
        const exec = await this.docker.getContainer(container).exec({ Cmd: [...cmd], AttachStdout: true, AttachStderr: true });
        const stream = await exec.start({ hijack: true, stdin: false });
        const out = new PassThrough();
        const err = new PassThrough();
        this.docker.modem.demuxStream(stream, out, err);
        const done = new Promise<void>((resolve, reject) => {
          stream.on('end', resolve);
          stream.on('close', resolve);
          stream.on('error', reject);
        });
        const outP = collect(out);
        const errP = collect(err);
        await withTimeout(done, timeoutMs, `\`${cmd.join(' ')}\` in ${container}`);
        out.end();
        err.end();
        const [stdout, stderr] = await Promise.all([outP, errP]);
        const inspected = (await exec.inspect()) as Json;
        return { exitCode: inspected.ExitCode ?? -1, stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8') };
      },
      timeoutMs + CALL_DEADLINE_MS,
    ).finally(() => this.changedContainers());
  }

  async readFile(container: string, path: string): Promise<string | null> {
    const stream = await this.orNull(`read ${path} in ${container}`, () => this.docker.getContainer(container).getArchive({ path }) as Promise<Readable>);
    if (!stream) return null;
    const file = firstFileFromTar(await collect(stream));
    return file ? file.toString('utf8') : null;
  }

  async logs(container: string): Promise<string> {
    const buf = (await this.call(`read logs of ${container}`, () => this.docker.getContainer(container).logs({ stdout: true, stderr: true, follow: false }))) as unknown as Buffer;
    const { stdout, stderr } = demuxBuffer(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
    return stdout + stderr;
  }

  async containerChanges(container: string): Promise<Array<{ kind: 'A' | 'C' | 'D'; path: string }> | null> {
    const raw = (await this.orNull(`read changes of ${container}`, async () => ({
      body: (await this.docker.getContainer(container).changes()) as unknown,
    }))) as { body: unknown } | null;
    if (raw === null) return null;
    // dockerode passes this body through unparsed; the engine answers `null` when nothing changed.
    const body = Buffer.isBuffer(raw.body) ? (JSON.parse(raw.body.toString('utf8') || 'null') as unknown) : raw.body;
    const kinds = ['C', 'A', 'D'] as const;
    return ((body as Json[] | null) ?? []).map((c) => ({ kind: kinds[c.Kind as number] ?? 'C', path: c.Path as string }));
  }

  async writableSize(container: string): Promise<number | null> {
    const raw = (await this.orNull(`measure ${container}`, () => this.docker.getContainer(container).inspect({ size: true } as Docker.ContainerInspectOptions))) as Json | null;
    return raw ? (raw.SizeRw ?? 0) : null;
  }

  async readNamespaces(c: ContainerFacts, kinds: readonly string[]): Promise<Record<string, string>> {
    const container = c.name;
    if (!c.state.running) throw new DockerError(`container ${container} is not running`);
    // On the engine's own host, the container's process is visible in /proc: reading its links takes
    // microseconds instead of an exec. The cgroup file proves the pid is that container's.
    if (this.resolved.socketPath && c.state.pid > 0) {
      try {
        const cgroup = await readHostFile(`/proc/${c.state.pid}/cgroup`, 'utf8');
        if (cgroup.includes(c.id)) {
          const links = await Promise.all(kinds.map(async (k) => [k, await readlink(`/proc/${c.state.pid}/ns/${k}`)] as const));
          return Object.fromEntries(links);
        }
      } catch {
        // Another host (Docker Desktop) or no permission: ask from inside instead.
      }
    }
    // One readlink per link: busybox's takes a single file. The shell's children share its namespaces.
    const script = kinds.map((k) => `readlink /proc/self/ns/${k}`).join(' && ');
    const r = await this.exec(container, ['sh', '-c', script]);
    if (r.exitCode !== 0) throw new DockerError(`cannot read /proc/self/ns in ${container}: ${r.stderr.trim()}`);
    const lines = r.stdout.trim().split('\n');
    return Object.fromEntries(kinds.map((k, i) => [k, (lines[i] ?? '').trim()]));
  }

  async runHelper(run: HelperRun): Promise<ExecResult> {
    const c = await this.call(`create a helper container from ${run.image}`, () =>
      this.docker.createContainer({
        Image: run.image,
        Cmd: [...run.cmd],
        Labels: { ...run.labels },
        HostConfig: { NetworkMode: run.networkMode },
      }),
    );
    try {
      await this.call('start a helper container', () => c.start());
      const waited = (await this.call('wait for a helper container', () => withTimeout(c.wait(), run.timeoutMs ?? 30_000, 'helper container'), Infinity)) as Json;
      const { stdout, stderr } = demuxBuffer((await c.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer);
      return { exitCode: waited.StatusCode ?? -1, stdout, stderr };
    } finally {
      await c.remove({ force: true, v: true }).catch(() => undefined);
    }
  }

  async inspectImage(name: string): Promise<ImageFacts | null> {
    const raw = await this.orNull(`inspect image ${name}`, () => this.docker.getImage(name).inspect());
    return raw ? imageFacts(raw as Json) : null;
  }

  async imageHistory(name: string): Promise<string[] | null> {
    const raw = (await this.orNull(`read the history of image ${name}`, () => this.docker.getImage(name).history())) as Json[] | null;
    return raw ? raw.map((h) => String(h.CreatedBy ?? '')).reverse() : null;
  }

  async inspectVolume(name: string): Promise<NamedResourceFacts | null> {
    const v = (await this.orNull(`inspect volume ${name}`, () => this.docker.getVolume(name).inspect())) as Json | null;
    return v ? volumeFacts(v) : null;
  }

  async inspectNetwork(name: string): Promise<NamedResourceFacts | null> {
    const n = (await this.orNull(`inspect network ${name}`, () => this.docker.getNetwork(name).inspect())) as Json | null;
    return n ? networkFacts(n) : null;
  }

  async listVolumes(labels: LabelFilter): Promise<NamedResourceFacts[]> {
    const res = (await this.call('list volumes', () => this.docker.listVolumes({ filters: { label: labelFilters(labels) } }))) as Json;
    return (res.Volumes ?? []).map(volumeFacts);
  }

  async listNetworks(labels: LabelFilter): Promise<NamedResourceFacts[]> {
    const res = (await this.call('list networks', () => this.docker.listNetworks({ filters: { label: labelFilters(labels) } }))) as Json[];
    return res.map(networkFacts);
  }

  async listImages(labels: LabelFilter): Promise<ImageFacts[]> {
    const res = (await this.call('list images', () => this.docker.listImages({ filters: { label: labelFilters(labels) } }))) as Json[];
    return res.map(imageSummary);
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.orNull(`remove container ${id}`, () => this.docker.getContainer(id).remove({ force: true, v: true }));
    } finally {
      this.changedContainers();
    }
  }

  /** This process changed a container: who asks about one from now on gets the engine's answer from now on. */
  private changedContainers(): void {
    this.inspecting.clear();
  }

  async removeVolume(name: string): Promise<void> {
    await this.orNull(`remove volume ${name}`, () => this.docker.getVolume(name).remove());
  }

  async removeNetwork(id: string): Promise<void> {
    await this.orNull(`remove network ${id}`, () => this.docker.getNetwork(id).remove());
  }

  async removeImage(name: string): Promise<void> {
    await this.orNull(`remove image ${name}`, () => this.docker.getImage(name).remove({ noprune: false }));
  }

  async tagImage(source: string, target: string): Promise<void> {
    const i = target.lastIndexOf(':');
    const [repo, tag] = i > target.lastIndexOf('/') ? [target.slice(0, i), target.slice(i + 1)] : [target, 'latest'];
    await this.call(`tag ${source} as ${target}`, () => this.docker.getImage(source).tag({ repo, tag }));
  }

  async pastEvents(of: string | LabelFilter, sinceMs: number): Promise<PastEvent[]> {
    return this.readEvents(typeof of === 'string' ? { type: ['container'], container: [of] } : { type: ['container'], label: labelFilters(of) }, sinceMs);
  }

  async history(type: HistoryType, sinceMs: number): Promise<PastEvent[]> {
    return this.readEvents({ type: [type] }, sinceMs);
  }

  private async readEvents(filters: Record<string, string[]>, sinceMs: number): Promise<PastEvent[]> {
    const raw = (await this.call('read engine events', () =>
      this.docker.getEvents({
        // Fractional seconds: rounding `until` up would make the engine hold the answer until then.
        since: (sinceMs / 1000).toFixed(3),
        until: (Date.now() / 1000).toFixed(3),
        filters,
      } as unknown as Docker.GetEventsOptions),
    )) as unknown;
    const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : (await collect(raw as Readable)).toString('utf8');
    return text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => engineEvent(JSON.parse(l) as Json))
      .filter((e) => e.time >= sinceMs);
  }

  async watchEvents(onEvent: (e: EngineEvent) => void, onEnd: (err?: Error) => void): Promise<() => void> {
    const stream = (await this.call('watch engine events', () => this.docker.getEvents({}))) as unknown as Readable;
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf('\n');
        if (!line) continue;
        try {
          onEvent(engineEvent(JSON.parse(line) as Json));
        } catch {
          // A partial or foreign line: events are hints to re-check, so dropping one is harmless.
        }
      }
    });
    stream.on('end', () => onEnd());
    stream.on('error', (err: Error) => onEnd(translate(err, this.endpoint, 'watch engine events', this.resolved.source)));
    return () => (stream as unknown as { destroy(): void }).destroy();
  }

  private follow(stream: Readable, onMessage: (m: Json) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (m: Json) => onMessage(m),
      );
    });
  }

  async buildImage(
    contextDir: string,
    files: readonly string[],
    tag: string,
    labels: Readonly<Record<string, string>>,
    onProgress: (p: BuildProgress) => void,
    opts: { readonly noCache?: boolean; readonly buildArgs?: Readonly<Record<string, string>> } = {},
  ): Promise<void> {
    const reader = new BuildStreamReader(onProgress);
    await this.call(
      `build ${tag}`,
      async () => {
        const stream = (await this.docker.buildImage(
          { context: contextDir, src: [...files] },
          { t: tag, labels: { ...labels }, buildargs: { ...opts.buildArgs }, rm: true, forcerm: true, nocache: opts.noCache ?? false },
        )) as unknown as Readable;
        await this.follow(stream, (m) => reader.feed(m));
      },
      Infinity,
    );
    const failure = reader.failure(tag);
    if (failure) throw failure;
  }

  async importImage(tar: NodeJS.ReadableStream, tag: string, changes: readonly string[]): Promise<void> {
    await this.call(
      `import ${tag}`,
      async () => {
        // The whole reference as `repo`: Docker takes the tag from it, and Podman ignores a separate `tag`.
        const stream = (await this.docker.importImage(tar, { repo: tag, changes: [...changes] })) as unknown as Readable;
        let error: string | undefined;
        await this.follow(stream, (m) => {
          if (m.error) error = m.error;
        });
        if (error) throw new DockerError(error);
      },
      Infinity,
    );
  }

  /** `docker save` of these images into one tar stream (layers they share are in it once). */
  async saveImages(names: readonly string[]): Promise<Readable> {
    return this.call(
      'save images',
      async () => {
        const modem = (this.docker as unknown as { modem: { dial: (o: object, cb: (e: unknown, s: unknown) => void) => void } }).modem;
        return new Promise<Readable>((resolve, reject) =>
          modem.dial({ path: '/images/get?', method: 'GET', options: { names: [...names] }, isStream: true, statusCodes: { 200: true, 500: 'server error' } }, (err, stream) =>
            err ? reject(err) : resolve(stream as Readable),
          ),
        );
      },
      Infinity,
    );
  }

  /** `docker load` of a tar stream made by saveImages. */
  async loadImages(tar: NodeJS.ReadableStream): Promise<void> {
    await this.call(
      'load images',
      async () => {
        const stream = (await this.docker.loadImage(tar, { quiet: true } as never)) as unknown as Readable;
        let error: string | undefined;
        await this.follow(stream, (m) => {
          if (m.error) error = m.error;
        });
        if (error) throw new DockerError(error);
      },
      Infinity,
    );
  }

  async tryPull(name: string, timeoutMs: number): Promise<boolean> {
    try {
      const stream = (await withTimeout(this.docker.pull(name), timeoutMs, `pull ${name}`)) as unknown as Readable;
      let failed = false;
      await withTimeout(
        this.follow(stream, (m) => {
          if (m.error) failed = true;
        }),
        timeoutMs * 10,
        `pull ${name}`,
      );
      return !failed && (await this.inspectImage(name)) !== null;
    } catch {
      return false;
    }
  }
}
