/**
 * HTTP plumbing of the Config API: reading bodies with a limit, Go-like query parsing for metadata filters, the
 * raw CORS id segment, and writing bodies and errors the way the original does (reference §2.1, §2.2).
 */
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { errorBody, GatewayError, isGatewayError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { encodeGoJson } from './go-json.ts';
import type { MetadataFilter } from './service.ts';

/** Default request body limit: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** The whole request body; 413 `GW_ERR_BODY_TOO_LARGE` past `limit` bytes, 400 when the client sends a broken body. */
export async function readBody(ctx: Context, limit: number): Promise<Buffer> {
  try {
    return await getRawBody(ctx.req, { length: ctx.req.headers['content-length'] ?? null, limit });
  } catch (err) {
    const type = (err as { type?: unknown }).type;
    if (type === 'entity.too.large') {
      throw new GatewayError('GW_ERR_BODY_TOO_LARGE', `Request body too large: the limit is ${limit} bytes.`, {
        cause: err,
        headers: { Connection: 'close' },
      });
    }
    throw new GatewayError('GW_ERR_BAD_REQUEST', `Request body could not be read: ${(err as Error).message}.`, {
      cause: err,
      headers: { Connection: 'close' },
    });
  }
}

/** Go's `url.QueryUnescape` (`+` is a space); `undefined` for a malformed escape, whose pair Go skips. */
function queryUnescape(s: string): string | undefined {
  if (!s.includes('%')) return s.replaceAll('+', ' ');
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      for (const b of Buffer.from(c === '+' ? ' ' : c, 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * `metadata.<key>=<value>` query parameters (reference §2): the first value of a repeated key counts, other
 * parameters are ignored. Pairs split on `&` and `;`, as Go's `url.ParseQuery` did in the original's day.
 */
export function metadataFilters(querystring: string): MetadataFilter[] {
  const seen = new Map<string, string>();
  for (const pair of querystring.split(/[&;]/)) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = queryUnescape(eq === -1 ? pair : pair.slice(0, eq));
    const value = queryUnescape(eq === -1 ? '' : pair.slice(eq + 1));
    if (key === undefined || value === undefined || !key.startsWith('metadata.') || seen.has(key)) continue;
    seen.set(key, value);
  }
  return [...seen].map(([key, value]) => ({ key: key.slice('metadata.'.length), value }));
}

/** The last segment of the raw (still escaped) request path: a CORS id such as `GET%2Fhello` (reference §3.4). */
export function rawLastSegment(ctx: Context): string {
  const path = ctx.path;
  return path.slice(path.lastIndexOf('/') + 1);
}

/** A JSON body as Go's `json.Encoder` writes it, with `Content-Type: application/json`. */
export function sendJson(ctx: Context, status: number, value: unknown): void {
  ctx.status = status;
  ctx.body = encodeGoJson(value);
  ctx.set('Content-Type', 'application/json');
}

/** A plain-text body, as Go's `http.Error` writes it (`404 page not found\n`). */
export function sendText(ctx: Context, status: number, text: string): void {
  ctx.status = status;
  ctx.body = text;
  ctx.set('Content-Type', 'text/plain; charset=utf-8');
  ctx.set('X-Content-Type-Options', 'nosniff');
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 500: 'Internal Server Error', 503: 'Service Unavailable' };

/**
 * Any thrown value as `{"errors":[{"message":…}]}`: a `GatewayError` with its status (its message when exposed),
 * anything else as a logged 500. Never throws.
 */
export function sendError(ctx: Context, err: unknown, logger: Logger): void {
  const gatewayError = isGatewayError(err) ? err : undefined;
  const status = gatewayError?.status ?? 500;
  if (status >= 500 && gatewayError?.code !== 'GW_ERR_DRAINING') {
    logger.error({ err, method: ctx.method, path: ctx.path }, 'config api request failed');
  }
  const message = gatewayError?.expose ? gatewayError.message : (STATUS_TEXT[status] ?? 'Internal Server Error');
  for (const [name, value] of Object.entries(gatewayError?.headers ?? {})) ctx.set(name, value);
  sendJson(ctx, status, errorBody(message, gatewayError?.expose ? gatewayError.details : []));
}
