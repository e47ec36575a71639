import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AptSource {
  readonly uri: string;
  readonly suites: readonly string[];
  readonly components: readonly string[];
}

/** Parses deb822 `.sources` text into its entries. */
export function parseDeb822(text: string): AptSource[] {
  return text
    .split(/\n\s*\n/)
    .map((para) => {
      const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(para)?.[1]?.trim().split(/\s+/) ?? [];
      return { types: field('Types'), uri: field('URIs')[0] ?? '', suites: field('Suites'), components: field('Components') };
    })
    .filter((s) => s.types.includes('deb') && s.uri)
    .map(({ uri, suites, components }) => ({ uri, suites, components }));
}

/** Parses one-line `deb URI suite components` entries. */
export function parseSourcesList(text: string): AptSource[] {
  return text
    .split('\n')
    .map((l) => /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ uri: m[1] ?? '', suites: [m[2] ?? ''], components: (m[3] ?? '').trim().split(/\s+/) }));
}

export function aptSources(root = '/etc/apt'): AptSource[] {
  const out: AptSource[] = [];
  const list = join(root, 'sources.list');
  if (existsSync(list)) out.push(...parseSourcesList(readFileSync(list, 'utf8')));
  const dir = join(root, 'sources.list.d');
  if (existsSync(dir))
    for (const f of readdirSync(dir).sort()) {
      const text = readFileSync(join(dir, f), 'utf8');
      if (f.endsWith('.sources')) out.push(...parseDeb822(text));
      else if (f.endsWith('.list')) out.push(...parseSourcesList(text));
    }
  return out;
}

const DEBIAN_SUITE = /^(bookworm|trixie|forky|sid|unstable|testing|stable)$/;

/** The Debian mirror this machine already uses (never a hard-coded host): LEAN_LABS_DEBIAN_MIRROR wins. */
export function debianMirror(env: NodeJS.ProcessEnv = process.env, sources: readonly AptSource[] = aptSources()): string | undefined {
  if (env.LEAN_LABS_DEBIAN_MIRROR) return env.LEAN_LABS_DEBIAN_MIRROR;
  return sources.find((s) => s.suites.some((x) => DEBIAN_SUITE.test(x)) && !/security/.test(s.uri))?.uri;
}

/** The codename of this Debian release, from /etc/os-release. */
export function debianCodename(osRelease = '/etc/os-release'): string | undefined {
  try {
    const text = readFileSync(osRelease, 'utf8');
    if (!/^ID=debian$/m.test(text)) return undefined;
    return /^VERSION_CODENAME=(\S+)$/m.exec(text)?.[1];
  } catch {
    return undefined;
  }
}
