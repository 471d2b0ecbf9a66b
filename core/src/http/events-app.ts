/**
 * The Events API (port 4000): Koa does intake only. One middleware reads the request, answers CORS preflights,
 * runs the pipeline and writes the reply. Any method and any path is accepted (reference §4).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import Koa from 'koa';
import getRawBody from 'raw-body';
import type { HttpReply, IncomingRequest } from '../context.ts';
import { GatewayError } from '../errors.ts';
import type { GatewayHooks } from '../hooks.ts';
import type { Logger } from '../logger.ts';
import type { Pipeline } from '../pipeline.ts';
import { DEFAULT_SPACE } from '../pipeline.ts';
import { errorReply } from '../respond.ts';
import type { RoutingTable } from '../routing/table.ts';
import { actualHeaders, isPreflight, preflightHeaders } from './cors.ts';
import type { SpaceStrategy } from './space.ts';
import { resolveSpace } from './space.ts';

export interface EventsAppDeps {
  readonly pipeline: Pipeline;
  readonly table: RoutingTable;
  readonly hooks: GatewayHooks;
  readonly logger: Logger;
  /** Largest accepted body, in bytes; larger gets 413. */
  readonly bodyLimit: number;
  readonly spaceStrategy?: SpaceStrategy;
  readonly isDraining: () => boolean;
}

const INTERNAL_ERROR = 'Internal Server Error';

export function createEventsApp(deps: EventsAppDeps): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx) => {
    ctx.respond = false;
    await handle(deps, ctx.req, ctx.res);
  });
  return app;
}

async function handle(deps: EventsAppDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (deps.isDraining()) {
    return send(res, errorReply(new GatewayError('GW_ERR_DRAINING', 'Service Unavailable', { expose: true }), INTERNAL_ERROR), { connection: 'close' }, deps.logger);
  }
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const method = req.method ?? 'GET';
  const { space, path } = deps.spaceStrategy ? resolveSpace(deps.spaceStrategy, req.headers, rawPath) : { space: undefined, path: rawPath };
  let extraHeaders: Record<string, string> = {};
  const preflight = isPreflight(method, req.headers);
  const cors = deps.table.cors(space ?? DEFAULT_SPACE, preflight ? String(req.headers['access-control-request-method']).toUpperCase() : method, path);
  if (cors) {
    if (preflight) return send(res, { status: 200, headers: preflightHeaders(cors, req.headers), body: '' }, {}, deps.logger);
    extraHeaders = actualHeaders(cors, method, req.headers);
  }
  let reply: HttpReply;
  let request: IncomingRequest | undefined;
  try {
    request = {
      method,
      path,
      decodedPath: decodePath(path),
      host: req.headers.host ?? '',
      remoteAddress: req.socket.remoteAddress,
      headers: req.headers,
      query: q < 0 ? {} : parseQuery(url.slice(q + 1)),
      body: await readBody(req, deps.bodyLimit),
      ...(space === undefined ? {} : { space }),
    };
    reply = await deps.pipeline.handle(request);
  } catch (err) {
    reply = errorReply(err, INTERNAL_ERROR);
    if (reply.status >= 500) deps.logger.error({ err, method, path }, 'event request failed');
    else deps.logger.debug({ err, method, path }, 'event request rejected');
    if (request && err instanceof GatewayError) {
      try {
        deps.hooks.rejected.call(err, request);
      } catch (tapErr) {
        deps.logger.error({ err: tapErr }, 'rejected tap threw; taps must not throw');
      }
    }
  }
  send(res, reply, extraHeaders, deps.logger);
}

/** Framing is the gateway's: a reply's own Content-Length or Transfer-Encoding would contradict the body sent. */
const FRAMING = new Set(['content-length', 'transfer-encoding']);

function send(res: ServerResponse, reply: HttpReply, extra: Record<string, string>, logger: Logger): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | number> = { ...extra };
  for (const name in reply.headers) if (!FRAMING.has(name.toLowerCase())) headers[name] = reply.headers[name]!;
  // 1xx, 204 and 304 have no body, and so no Content-Length (RFC 9110 §8.6, §15.3.5, §15.4.5).
  const bodyless = reply.status < 200 || reply.status === 204 || reply.status === 304;
  const body = bodyless ? '' : reply.body;
  if (!bodyless) headers['content-length'] = Buffer.byteLength(body);
  try {
    res.writeHead(reply.status, headers);
  } catch (err) {
    // A header Node refuses to send (e.g. set by a plugin's respond tap): a JSON 500 instead of Koa's text/plain one.
    logger.error({ err, status: reply.status }, 'reply could not be sent; answered 500');
    const fallback = errorReply(new Error('unsendable reply'), INTERNAL_ERROR);
    res.writeHead(fallback.status, { ...fallback.headers, 'content-length': Buffer.byteLength(fallback.body) });
    res.end(fallback.body);
    return;
  }
  res.end(body);
}

const EMPTY = Buffer.alloc(0);

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  // A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 §6.3): nothing to read.
  const length = req.headers['content-length'];
  if ((length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined) return EMPTY;
  try {
    return await getRawBody(req, { limit, length: req.headers['content-length'] });
  } catch (cause) {
    const type = (cause as { type?: string }).type;
    if (type === 'entity.too.large') {
      throw new GatewayError('GW_ERR_BODY_TOO_LARGE', `Request body is larger than the limit of ${limit} bytes.`, { cause });
    }
    throw new GatewayError('GW_ERR_BAD_REQUEST', `Request body could not be read: ${(cause as Error).message}`, { cause });
  }
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function parseQuery(search: string): Record<string, string[]> {
  const query: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(search)) (query[name] ??= []).push(value);
  return query;
}
