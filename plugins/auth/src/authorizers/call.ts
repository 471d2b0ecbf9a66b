/**
 * Calling an event type's authorizer function (reference §5) and reading its verdict.
 *
 * Payload, posted as `application/json`: `{"event": <the event as the function would get it: the 0.1 object for
 * 0.1 events, else the 1.0 object>, "request": <the http.request data of the request, with body null and params
 * null>}`. Reply: `{"authorization":{"principalId":string,"context":{string:string}},"error":{"message":string}}`.
 *
 * - allowed: a JSON object whose `error` is absent or null. `{}` is allowed, without an authorization (the
 *   original's quirk, kept).
 * - denied: `error` present (not null). Its `message`, when a string, is told to the caller.
 * - failed: the function is missing, the call fails (no reply, timeout, 5xx), the reply status is 4xx, or the body
 *   is not a JSON object of that shape (empty, `null`, a non-string `principalId` or context value, …).
 * Denied and failed both refuse the event; only allowed and denied verdicts may be cached.
 */
import type { EventContext, Gateway, Invocation } from '@switchyard/core';
import { httpRequestData, isRecord, wireEvent } from '@switchyard/core';
import type { Authorization } from '../types.ts';

export type AuthorizerVerdict =
  | { readonly ok: true; readonly authorization: Authorization | undefined }
  | { readonly ok: false; readonly denied: boolean; readonly reason: string; readonly message: string | undefined };

/** The JSON body posted to an authorizer function. */
export function authorizerPayload(invocation: Invocation, ctx: EventContext): string {
  const event = wireEvent(invocation.event, invocation.specVersion);
  return JSON.stringify({ event, request: httpRequestData(ctx.request, null, false) });
}

/** Call the authorizer `authorizerId` of the invocation's space for this invocation. Never throws. */
export async function callAuthorizer(gateway: Gateway, authorizerId: string, invocation: Invocation, ctx: EventContext): Promise<AuthorizerVerdict> {
  const fn = gateway.table.function(invocation.space, authorizerId);
  if (fn === undefined) return failed(`authorizer function "${authorizerId}" not found in space "${invocation.space}"`);
  let body: string;
  try {
    body = authorizerPayload(invocation, ctx);
  } catch (err) {
    return failed(`authorizer payload could not be built: ${messageOf(err)}`);
  }
  let reply;
  try {
    reply = await gateway.call({
      space: invocation.space,
      function: fn,
      mode: invocation.mode,
      event: invocation.event,
      specVersion: invocation.specVersion,
      payload: { contentType: 'application/json', body },
    });
  } catch (err) {
    return failed(`authorizer "${authorizerId}" call failed: ${messageOf(err)}`);
  }
  if (reply.status >= 400) return failed(`authorizer "${authorizerId}" replied with status ${reply.status}`);
  return readVerdict(authorizerId, reply.body.toString('utf8'));
}

/** The verdict of an authorizer's reply body (see the module comment). */
export function readVerdict(authorizerId: string, text: string): AuthorizerVerdict {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return failed(`authorizer "${authorizerId}" reply is not JSON`);
  }
  if (!isRecord(value)) return failed(`authorizer "${authorizerId}" reply is not a JSON object`);
  const { authorization, error } = value;
  if (error !== undefined && error !== null) {
    if (!isRecord(error)) return failed(`authorizer "${authorizerId}" reply has a malformed "error"`);
    const message = typeof error['message'] === 'string' && error['message'] !== '' ? error['message'] : undefined;
    return { ok: false, denied: true, reason: `authorizer "${authorizerId}" denied the event${message ? `: ${message}` : ''}`, message };
  }
  if (authorization === undefined || authorization === null) return { ok: true, authorization: undefined };
  const parsed = readAuthorization(authorization);
  if (parsed === undefined) return failed(`authorizer "${authorizerId}" reply has a malformed "authorization"`);
  return { ok: true, authorization: parsed };
}

/** `{principalId: string, context: {string: string}}`, each part optional (Go's zero values), else undefined. */
function readAuthorization(value: unknown): Authorization | undefined {
  if (!isRecord(value)) return undefined;
  const { principalId = '', context } = value;
  if (typeof principalId !== 'string') return undefined;
  const out: Record<string, string> = {};
  if (context !== undefined && context !== null) {
    if (!isRecord(context)) return undefined;
    for (const [key, v] of Object.entries(context)) {
      if (typeof v !== 'string') return undefined;
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    }
  }
  return { principalId, context: out };
}

function failed(reason: string): AuthorizerVerdict {
  return { ok: false, denied: false, reason, message: undefined };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
