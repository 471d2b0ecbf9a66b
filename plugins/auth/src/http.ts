/**
 * Small HTTP helpers for the plugin's Config API routes, written the way core's Config API writes (JSON ending in
 * `\n`, `Content-Type: application/json`; errors are thrown as `GatewayError`s, which core's Config API turns into
 * `{"errors":[{"message":…}]}`).
 */
import type { IncomingMessage } from 'node:http';
import type { GatewayHooks } from '@switchyard/core';
import { GatewayError } from '@switchyard/core';

/** The Config API's router (`@koa/router`), as core's `configApi` hook passes it. */
export type ConfigRouter = Parameters<GatewayHooks['configApi']['call']>[0];

/** The part of a Koa context the routes use. */
export interface JsonContext {
  status: number;
  body: unknown;
  readonly req: IncomingMessage;
  set(field: string, value: string): void;
}

export function sendJson(ctx: JsonContext, status: number, value: unknown): void {
  ctx.status = status;
  ctx.body = `${JSON.stringify(value)}\n`;
  ctx.set('Content-Type', 'application/json');
}

/** The whole request body, at most `limit` bytes (413 past it). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > limit) throw tooLarge(limit);
      chunks.push(buffer);
    }
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError('GW_ERR_BAD_REQUEST', `Request body could not be read: ${(err as Error).message}.`, { cause: err });
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError('GW_ERR_BODY_TOO_LARGE', `Request body too large: the limit is ${limit} bytes.`, { headers: { Connection: 'close' } });
}
