/**
 * Config API protection: with admin tokens configured, every Config API route needs
 * `Authorization: Bearer <token>` (the scheme case-insensitive: the official SDK sends `bearer <key>`), except the
 * open paths (default `/v1/status`, for health checks). Otherwise: 401 `{"errors":[{"message":…}]}` with a
 * `WWW-Authenticate: Bearer` challenge.
 *
 * It is router middleware (`configApi` hook). `@koa/router` runs middleware only for requests that match a route,
 * and in the order of its stack, so the middleware is moved to the front of the stack: it runs before every route,
 * core's and every plugin's (API keys included), whenever they were added. Requests that match no route get core's
 * `404 page not found` / `405 Method Not Allowed` without a token check: they reach nothing.
 *
 * Tokens are compared in constant time: both sides are hashed with SHA-256 and compared with `timingSafeEqual`,
 * against every configured token (no early exit), so neither the length nor the content leaks.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken } from '../credentials.ts';
import { credentialsRequired, unauthorized } from '../errors.ts';
import type { ConfigRouter } from '../http.ts';

export const ADMIN_REALM = 'switchyard-config';
export const DEFAULT_OPEN_PATHS: readonly string[] = ['/v1/status'];

export class AdminTokens {
  readonly #digests: readonly Buffer[];
  readonly #open: ReadonlySet<string>;

  constructor(tokens: readonly string[], openPaths: readonly string[] = DEFAULT_OPEN_PATHS) {
    this.#digests = tokens.map(digest);
    this.#open = new Set(openPaths.map(normalizePath));
  }

  /** Whether `token` is one of the admin tokens (constant time). */
  accepts(token: string): boolean {
    const presented = digest(token);
    let ok = false;
    for (const d of this.#digests) ok = timingSafeEqual(presented, d) || ok;
    return ok;
  }

  /** Whether a path is open (compared as the router matches: case-insensitive, trailing slash ignored). */
  isOpen(path: string): boolean {
    return this.#open.has(normalizePath(path));
  }

  /** Throw a 401 unless the request may go on. */
  check(path: string, headers: IncomingHttpHeaders): void {
    if (this.isOpen(path)) return;
    if (headers.authorization === undefined) {
      throw credentialsRequired('Authorization required: send "Authorization: Bearer <admin token>".', ADMIN_REALM);
    }
    const token = bearerToken(headers);
    if (token === undefined) throw unauthorized('Authorization must be "Bearer <admin token>".', ADMIN_REALM);
    if (!this.accepts(token)) throw unauthorized('Invalid admin token.', ADMIN_REALM);
  }

  /** Add the check to the Config API's router, in front of every route. */
  install(router: ConfigRouter): void {
    router.use(async (ctx, next) => {
      this.check(ctx.path, ctx.headers);
      await next();
    });
    const layer = router.stack.pop();
    if (layer !== undefined) router.stack.unshift(layer);
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function normalizePath(path: string): string {
  const lower = path.toLowerCase();
  return lower.length > 1 && lower.endsWith('/') ? lower.replace(/\/+$/, '') || '/' : lower;
}
