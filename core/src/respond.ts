/**
 * Mapping results and errors to HTTP replies (Koa's `respond()` analogue).
 *
 * A sync `http.request` function answers `{"statusCode":int,"headers":{string:string},"body":string}`
 * (reference §4.5); anything else is `HTTP response object malformed` (500). Other sync event types get the
 * function's body as it is, with status 200.
 */
import type { HttpReply, Invocation, InvokeResult } from './context.ts';
import { errorBody, GatewayError, isGatewayError } from './errors.ts';
import { HTTP_REQUEST_EVENT } from './event.ts';

export const RESPONSE_MALFORMED = 'HTTP response object malformed';

/** Core's `respond` tap. */
export function mapFunctionReply(reply: HttpReply, result: InvokeResult, invocation: Invocation): HttpReply {
  const eventType = invocation.subscription?.eventType ?? invocation.event.type;
  if (eventType !== HTTP_REQUEST_EVENT) {
    const contentType = result.headers['content-type'];
    reply.status = 200;
    reply.body = result.body;
    if (contentType !== undefined) reply.headers['content-type'] = contentType;
    return reply;
  }
  const parsed = parseHttpResponse(result.body);
  reply.status = parsed.statusCode;
  Object.assign(reply.headers, parsed.headers);
  reply.body = parsed.body;
  return reply;
}

interface HttpResponseObject {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

function parseHttpResponse(body: Buffer): HttpResponseObject {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (cause) {
    throw malformed(cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed();
  const { statusCode = 200, headers = {}, body: text = '' } = value as Record<string, unknown>;
  // statusCode 0 is Go's zero value: the original's default of 200.
  const status = statusCode === 0 ? 200 : statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) throw malformed();
  if (typeof text !== 'string' || typeof headers !== 'object' || headers === null || Array.isArray(headers)) throw malformed();
  for (const v of Object.values(headers)) if (typeof v !== 'string') throw malformed();
  return { statusCode: status, headers: headers as Record<string, string>, body: text };
}

function malformed(cause?: unknown): GatewayError {
  return new GatewayError('GW_ERR_RESPONSE_MALFORMED', RESPONSE_MALFORMED, { expose: true, cause });
}

/** The JSON error reply for anything thrown while handling a request. */
export function errorReply(err: unknown, genericMessage: string): HttpReply {
  const known = isGatewayError(err);
  const status = known ? err.status : 500;
  const message = known && err.expose ? err.message : genericMessage;
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...(known ? err.headers : {}) },
    body: `${JSON.stringify(errorBody(message))}\n`,
  };
}
