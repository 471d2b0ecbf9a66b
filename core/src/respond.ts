/**
 * Mapping results and errors to HTTP replies (Koa's `respond()` analogue).
 *
 * A sync function, whatever the event type, answers `{"statusCode":int,"headers":{string:string},"body":string}`
 * (reference §4.5; the original's `handleSyncSubscription` sends every sync reply through `httpRequestHandler`, and
 * `docs/subscription-types.md` says the same); anything else is `HTTP response object malformed` (500).
 */
import type { HttpReply, Invocation, InvokeResult } from './context.ts';
import { errorBody, GatewayError, isGatewayError } from './errors.ts';

export const RESPONSE_MALFORMED = 'HTTP response object malformed';

/** RFC 9110 token; field values as Node's `http` accepts them (tab, visible ASCII, space, obs-text). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Core's `respond` tap. */
export function mapFunctionReply(reply: HttpReply, result: InvokeResult, _invocation: Invocation): HttpReply {
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
  // A final reply cannot be informational (1xx): sent as is, the client gets a hang-up.
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) throw malformed();
  if (typeof text !== 'string' || typeof headers !== 'object' || headers === null || Array.isArray(headers)) throw malformed();
  // Headers that cannot be sent (name not a token; CR, LF or characters beyond Latin-1 in the value) are malformed too.
  for (const [name, v] of Object.entries(headers)) if (typeof v !== 'string' || !HEADER_NAME.test(name) || !HEADER_VALUE.test(v)) throw malformed();
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
    body: `${JSON.stringify(errorBody(message, known && err.expose ? err.details : []))}\n`,
  };
}
