/**
 * CloudEvents 1.0: structured (JSON format), batch (JSON batch format) and binary (HTTP binding) modes.
 *
 * Validated by hand: the `cloudevents` package fills in a missing `id`/`time` instead of rejecting, rewrites `time`,
 * reports terse messages, and costs more per event.
 */
import type { IncomingRequest } from '../context.ts';
import type { CloudEvent } from '../event.ts';
import { GatewayError, isGatewayError } from '../errors.ts';
import { parseBoundedJson } from '../json-depth.ts';
import { headerValue } from './http-request.ts';
import { v1Payload } from './media.ts';
import type { MediaType } from './media.ts';
import { isRecord } from '../event.ts';

export const V1 = '1.0';
const PREFIX = "CloudEvent doesn't validate: ";

const NAME = /^[a-z0-9]+$/;
/** RFC 3986 URI-reference characters (unreserved, reserved, `%XX`). */
const URI_REFERENCE = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const REQUIRED = ['id', 'source', 'specversion', 'type'] as const;

export function invalidEvent(message: string): GatewayError {
  return new GatewayError('GW_ERR_INVALID_EVENT', message);
}

/** The 400 for a specversion Switchyard does not read. */
export function unsupportedSpecVersion(value: unknown): GatewayError {
  return invalidEvent(`unsupported CloudEvents specversion ${JSON.stringify(value)}`);
}

/** RFC 3339 `date-time` (upper- or lower-case `T`/`Z`); a leap second (`:60`) is accepted. */
export function isRfc3339(value: string): boolean {
  const m = RFC3339.exec(value);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  if (day > days || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60) return false;
  return m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** One attribute's problem, or undefined. `value` is not null. */
function attributeProblem(name: string, value: unknown): string | undefined {
  switch (name) {
    case 'specversion':
    case 'data':
      return undefined;
    case 'id':
    case 'type':
    case 'subject':
    case 'datacontenttype':
      return nonEmptyString(value) ? undefined : `attribute "${name}" must be a non-empty string`;
    case 'source':
      if (!nonEmptyString(value)) return 'attribute "source" must be a non-empty string';
      return URI_REFERENCE.test(value) ? undefined : `attribute "source" is not a URI-reference: ${JSON.stringify(value)}`;
    case 'dataschema':
      if (!nonEmptyString(value)) return 'attribute "dataschema" must be a non-empty string';
      return URI.test(value) ? undefined : `attribute "dataschema" is not an absolute URI: ${JSON.stringify(value)}`;
    case 'time':
      if (typeof value !== 'string') return 'attribute "time" must be a string';
      return isRfc3339(value) ? undefined : `attribute "time" is not an RFC 3339 timestamp: ${JSON.stringify(value)}`;
    case 'data_base64':
      if (typeof value !== 'string') return 'attribute "data_base64" must be a string';
      return BASE64.test(value) ? undefined : 'attribute "data_base64" is not valid base64';
    default:
      if (!NAME.test(name)) {
        return `invalid attribute name ${JSON.stringify(name)}: names must be lower-case letters a-z and digits 0-9`;
      }
      if (typeof value === 'string' || typeof value === 'boolean' || Number.isInteger(value)) return undefined;
      return `extension attribute "${name}" must be a string, a boolean or an integer`;
  }
}

/**
 * Validate a CloudEvents 1.0 object (its specversion already checked) and return it as the internal event.
 * `null` attributes are treated as absent and removed (JSON format §2.2); `data: null` is an explicit null payload.
 * Every problem is reported, e.g. `CloudEvent doesn't validate: missing required attribute "source"`.
 */
export function validateV1(event: Record<string, unknown>, label = ''): CloudEvent {
  let problems: string[] | undefined;
  for (const name of REQUIRED) {
    if (event[name] === undefined || event[name] === null) (problems ??= []).push(`missing required attribute "${name}"`);
  }
  let nulls = false;
  for (const name in event) {
    const value = event[name];
    if (value === null) {
      if (name !== 'data') nulls = true;
      continue;
    }
    const problem = attributeProblem(name, value);
    if (problem !== undefined) (problems ??= []).push(problem);
  }
  if (event['data'] !== undefined && event['data_base64'] !== undefined && event['data_base64'] !== null) {
    (problems ??= []).push('"data" and "data_base64" are mutually exclusive');
  }
  if (problems !== undefined) throw invalidEvent(PREFIX + label + problems.join('; '));
  if (nulls) {
    for (const name in event) if (event[name] === null && name !== 'data') delete event[name];
  }
  return event as CloudEvent;
}

/** A JSON value from a structured or batch body; malformed JSON is a 400. */
export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw invalidEvent(`${PREFIX}unexpected end of JSON input`);
  try {
    return parseBoundedJson(text, 'GW_ERR_INVALID_EVENT', PREFIX);
  } catch (err) {
    if (isGatewayError(err)) throw err;
    throw invalidEvent(`${PREFIX}invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** CloudEvents JSON batch format: an array of 1.0 events. An empty array is a valid, empty batch (format §4.3). */
export function parseBatch(body: Buffer): CloudEvent[] {
  const value = parseJsonBody(body);
  if (!Array.isArray(value)) throw invalidEvent(`${PREFIX}a CloudEvents batch must be a JSON array`);
  const events: CloudEvent[] = [];
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    const label = `batch item ${i}: `;
    if (!isRecord(item)) throw invalidEvent(`${PREFIX}${label}a CloudEvent must be a JSON object`);
    const specversion = item['specversion'];
    if (specversion === undefined || specversion === null) {
      throw invalidEvent(`${PREFIX}${label}missing required attribute "specversion"`);
    }
    if (specversion !== V1) throw unsupportedSpecVersion(specversion);
    events.push(validateV1(item, label));
  }
  return events;
}

function percentDecode(name: string, value: string): string {
  if (value.indexOf('%') === -1) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    throw invalidEvent(`${PREFIX}header "${name}" has an invalid percent-encoding`);
  }
}

/**
 * HTTP binary mode (`ce-specversion: 1.0`): attributes from `ce-*` headers (percent-decoded), data from the body per
 * Content-Type (JSON parsed, malformed JSON a 400; text as a string; other bytes as `data_base64`),
 * `datacontenttype` the raw Content-Type.
 */
export function parseBinaryV1(request: IncomingRequest, media: MediaType, rawContentType: string | undefined): CloudEvent {
  const headers = request.headers;
  const event: Record<string, unknown> = { specversion: V1 };
  for (const name in headers) {
    if (name.length < 4 || !name.startsWith('ce-')) continue;
    const attribute = name.slice(3);
    if (attribute === 'specversion') continue;
    if (attribute === 'data' || attribute === 'data_base64') {
      throw invalidEvent(`${PREFIX}"${attribute}" cannot be sent as a header in binary mode`);
    }
    const value = headerValue(headers[name]);
    if (value !== undefined) event[attribute] = percentDecode(name, value);
  }
  if (rawContentType !== undefined) event['datacontenttype'] = rawContentType;
  const payload = v1Payload(request.body, rawContentType === undefined ? undefined : media, true);
  if (payload.data !== undefined) event['data'] = payload.data;
  else if (payload.data_base64 !== undefined) event['data_base64'] = payload.data_base64;
  return validateV1(event);
}

/** Structured mode with `specversion` present: 1.0 is validated, anything else is unsupported. */
export function parseStructuredV1(event: Record<string, unknown>): CloudEvent {
  if (event['specversion'] !== V1) throw unsupportedSpecVersion(event['specversion']);
  return validateV1(event);
}
