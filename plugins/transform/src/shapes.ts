/**
 * What expressions read and what their results become: an event with new data, and a sync reply
 * (`{statusCode, headers, body}`) in and out of a response transform.
 */
import type { CloudEvent, HttpReply } from '@switchyard/core';
import { isRecord } from '@switchyard/core';

/**
 * The event with `data` replaced and the rest of the envelope kept. `datacontenttype` follows the new data:
 * `application/json`, or `text/plain` for a string (which binary mode sends as is). A result of nothing
 * (`undefined`) leaves the event without data.
 */
export function withData(event: CloudEvent, data: unknown): CloudEvent {
  const { data: _data, data_base64: _base64, datacontenttype: _type, ...envelope } = event;
  if (data === undefined) return envelope;
  return { ...envelope, datacontenttype: typeof data === 'string' ? 'text/plain' : 'application/json', data };
}

/** The reply a response transform reads: `body` parsed when it is JSON. */
export interface ReplyObject {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

const JSON_MEDIA = /^[^;]*[/+]json\s*(?:;|$)/i;

function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  for (const key in headers) if (key.toLowerCase() === name) return headers[key];
  return undefined;
}

/**
 * The body is parsed when the reply's Content-Type is JSON (`application/json`, `…+json`); with no Content-Type,
 * when it parses as a JSON object or array. Otherwise, and when it does not parse, it is the string.
 */
function readBody(text: string, contentType: string | undefined): unknown {
  if (contentType !== undefined ? !JSON_MEDIA.test(contentType) : !/^\s*[[{]/.test(text)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function replyObject(reply: HttpReply): ReplyObject {
  const text = typeof reply.body === 'string' ? reply.body : reply.body.toString('utf8');
  return { statusCode: reply.status, headers: { ...reply.headers }, body: readBody(text, headerValue(reply.headers, 'content-type')) };
}

/** RFC 9110 token; field values as Node's `http` sends them (tab, visible ASCII, space, obs-text) — as core checks. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Make the HTTP reply from a response transform's result, with the defaults of a sync function's reply object
 * (`statusCode` 200, no headers, empty body). A `body` that is not a string is sent as JSON, with
 * `Content-Type: application/json` unless the result sets one. Throws an `Error` whose message says what is wrong.
 */
export function replyFrom(result: unknown): HttpReply {
  if (!isRecord(result)) throw new Error('the expression must produce an object {statusCode, headers, body}');
  const { statusCode = 200, headers = {}, body = '' } = result;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 200 || statusCode > 599) {
    throw new Error(`statusCode must be an integer from 200 to 599, got ${JSON.stringify(statusCode) ?? String(statusCode)}`);
  }
  if (!isRecord(headers)) throw new Error('headers must be an object of strings');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') throw new Error(`header ${JSON.stringify(name)} must be a string`);
    if (!HEADER_NAME.test(name)) throw new Error(`header name ${JSON.stringify(name)} is not a valid HTTP header name`);
    if (!HEADER_VALUE.test(value)) throw new Error(`header ${JSON.stringify(name)} has a value that cannot be sent`);
    out[name] = value;
  }
  if (typeof body === 'string') return { status: statusCode, headers: out, body };
  const text = JSON.stringify(body) ?? '';
  if (headerValue(out, 'content-type') === undefined && text !== '') out['content-type'] = 'application/json';
  return { status: statusCode, headers: out, body: text };
}
