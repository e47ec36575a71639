/**
 * The class's web pages (the learner's page and the instructor's dashboard) and their scripts and styles, built
 * into dist/web by the build and served from memory. Nothing is fetched from elsewhere: a class may have no internet.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { packageRoot } from '../../runner/paths.js';

const TYPES: Record<string, string> = { html: 'text/html', js: 'text/javascript', css: 'text/css' };

/** The pages may talk to their own server only; xterm.js sets styles from script. */
const POLICY = "default-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export const defaultWebDir = (): string => join(packageRoot(), 'dist', 'web');

export class WebFiles {
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly dir = defaultWebDir()) {}

  /** Whether the build put the pages there (a server without them says so instead of failing per request). */
  present(): boolean {
    return existsSync(join(this.dir, 'learner.html'));
  }

  private read(name: string): Buffer | undefined {
    if (!/^[a-z][a-z-]*\.(html|js|css)$/.test(name)) return undefined;
    const hit = this.cache.get(name);
    if (hit) return hit;
    const file = join(this.dir, name);
    if (!existsSync(file)) return undefined;
    const body = readFileSync(file);
    this.cache.set(name, body);
    return body;
  }

  /** Sends the named file with `status`; false when there is no such file. */
  send(res: ServerResponse, name: string, status = 200): boolean {
    const body = this.read(name);
    if (!body) return false;
    res.writeHead(status, {
      'content-type': `${TYPES[name.split('.').pop()!]}; charset=utf-8`,
      'content-length': body.length,
      'cache-control': 'no-cache',
      'content-security-policy': POLICY,
      'x-content-type-options': 'nosniff',
      // The dashboard's address carries the instructor token: it is never sent on as a referrer.
      'referrer-policy': 'no-referrer',
    });
    res.end(body);
    return true;
  }
}
