import type { DockerAdapter } from '../docker/adapter.js';
import { describeEndpoint } from '../docker/endpoint.js';
import { engineKind, engineStorage } from '../docker/engine-kind.js';
import { unmetRequirements } from '../engine/requirements.js';
import { mustRun, which } from '../host/run.js';
import { loadCatalog } from '../images/catalog.js';
import type { Lab } from '../lab/types.js';
import { nameList } from '../text/plural.js';

export interface Finding {
  readonly ok: boolean;
  readonly what: string;
  readonly fix?: string;
  /** A warning does not make doctor fail. */
  readonly warn?: boolean;
}

/** Every fact a learner's setup needs, each with the fix when it is wrong. `labs`: the labs it is for. */
export async function diagnose(docker: DockerAdapter, imagesRoot: string, labs: readonly Lab[] = []): Promise<Finding[]> {
  const out: Finding[] = [];
  out.push({ ok: true, what: `engine endpoint: ${describeEndpoint(docker.resolved)}` });
  // What the docker command is compared by: the engine's ID; Podman makes a new ID for every request, so there the
  // host's name and the version.
  let engineKey = { format: '{{.ID}}', value: '' };
  try {
    await docker.ping();
    const info = await docker.info();
    engineKey = info.product === 'Podman' ? { format: '{{.Name}} {{.ServerVersion}}', value: `${info.name} ${info.serverVersion}` } : { format: '{{.ID}}', value: info.id };
    out.push({ ok: true, what: `engine answers: ${info.product} ${info.serverVersion}, API ${info.apiVersion}, ${info.operatingSystem}` });
    out.push({ ok: true, what: `engine kind: ${engineKind(info, docker.resolved)}` });
    out.push({ ok: true, what: engineStorage(info) });
    // Which labs run here: each says itself what it needs (`requires`) and why it cannot run on Podman (`podman:`).
    const unmet = await Promise.all(labs.map(async (l) => ({ id: l.id, why: await unmetRequirements(l, info) })));
    const cannot = unmet.filter((u) => u.why.length);
    if (labs.length)
      out.push(
        cannot.length === 0
          ? { ok: true, what: `all ${labs.length} labs run here` }
          : {
              ok: false,
              warn: true,
              what: `${info.product === 'Podman' ? "this is Podman's Docker-compatible API, not Docker: " : ''}${labs.length - cannot.length} of ${labs.length} labs run here; not ${nameList(cannot.map((c) => c.id))}`,
              fix: `${cannot.map((c) => `${c.id}: ${c.why.join('; ')}`).join('. ')}.${info.product === 'Podman' ? ' README.md, "Podman", lists what fails. For every lab, use Docker Engine or Docker Desktop.' : ''}`,
            },
      );
    if (!info.swapLimit) out.push({ ok: false, warn: true, what: 'the kernel does not account swap: --memory-swap limits are not enforced', fix: 'Labs that cap swap say so when they start.' });
  } catch (err) {
    const e = err as Error & { advice?: string };
    out.push({ ok: false, what: e.message.split('\n')[0]!, fix: e.advice ?? (e.message.split('\n').slice(1).join(' ').trim() || 'Run `sudo npx lean-labs engine up`.') });
    return out;
  }

  // Every lab's commands are bash (and sed, curl, a for loop): native Windows has none of them.
  if (process.platform === 'win32')
    out.push({
      ok: false,
      what: "this is Windows: the labs' commands are written for bash, which Windows itself does not have",
      fix: "Run lean-labs and type the labs' commands inside WSL 2 (Docker Desktop's WSL integration on), or in Git Bash.",
    });
  else if (!(await which('bash'))) out.push({ ok: false, what: "bash is not installed: the labs' commands are written for it", fix: 'Install bash (the labs run their commands with it).' });
  const cli = await which('docker');
  if (!cli) out.push({ ok: false, what: 'the docker command is not installed', fix: 'Install the docker CLI: the labs have you type docker commands.' });
  else {
    try {
      const id = (await mustRun('docker', ['info', '--format', engineKey.format])).trim();
      out.push(
        id === engineKey.value
          ? { ok: true, what: `the docker command (${cli}) talks to the same engine` }
          : { ok: false, what: `the docker command talks to another engine (${id || 'none'})`, fix: 'Make DOCKER_HOST or `docker context use` point at the same engine as lean-labs.' },
      );
    } catch (err) {
      out.push({ ok: false, what: 'the docker command cannot reach the engine', fix: `${(err as Error).message.split('\n').slice(-1)[0]}` });
    }
    try {
      const v = (await mustRun('docker', ['compose', 'version', '--short'])).trim();
      out.push({ ok: true, what: `Compose v2: docker compose ${v}` });
    } catch {
      const v1 = await which('docker-compose');
      out.push({
        ok: false,
        warn: true,
        what: v1 ? 'only Compose v1 (docker-compose) is installed' : 'Compose v2 (docker compose) is missing',
        fix: "The Compose labs need `docker compose` (v2): install the docker-compose-plugin or Debian's docker-compose 2.x.",
      });
    }
  }

  const catalog = loadCatalog(imagesRoot);
  const missing: string[] = [];
  for (const def of catalog.values()) if (!(await docker.inspectImage(def.tag))) missing.push(def.name);
  out.push(
    missing.length
      ? { ok: false, warn: true, what: `lab images missing: ${missing.join(', ')}`, fix: 'Run `npx lean-labs images build` (labs also build what they need on first use).' }
      : { ok: true, what: `all ${catalog.size} lab images present` },
  );
  return out;
}
