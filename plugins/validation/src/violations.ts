/**
 * What is validated (the event's data, decoded when it is JSON carried as `data_base64`) and how violations are
 * reported: one 400 whose message lists every violation with its JSON Pointer, and each violation again as its own
 * entry of the error envelope (`GatewayError` `details`).
 */
import type { ErrorObject } from 'ajv';
import { GatewayError } from '@switchyard/core';
import type { CloudEvent, ErrorDetail } from '@switchyard/core';

/** At most this many violations are listed; the message says how many more there were. */
export const MAX_LISTED_VIOLATIONS = 100;
/** A violation's text in the summary message is cut at this length (its `details` entry is whole). */
const MAX_SUMMARY_ITEM = 300;

/** `Event data doesn't match the schema of event type "user.created": ` */
export function mismatchPrefix(eventType: string): string {
  return `Event data doesn't match the schema of event type ${JSON.stringify(eventType)}: `;
}

/** A JSON media type: `application/json`, `*\/json`, `*\/*+json` (parameters ignored). */
export function isJsonMediaType(contentType: unknown): boolean {
  if (typeof contentType !== 'string') return false;
  const semi = contentType.indexOf(';');
  const type = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return type.endsWith('/json') || type.endsWith('+json');
}

/**
 * The value a schema validates: `data`; or, for an event that carries `data_base64`, the decoded JSON value when
 * `datacontenttype` is JSON, else the base64 string itself; `null` for an event without data. Throws the 400 for
 * `data_base64` that is declared JSON but does not parse.
 */
export function dataOf(event: CloudEvent): unknown {
  if (event.data !== undefined) return event.data;
  const base64 = event.data_base64;
  if (typeof base64 !== 'string') return null;
  if (!isJsonMediaType(event.datacontenttype)) return base64;
  try {
    return JSON.parse(Buffer.from(base64, 'base64').toString('utf8')) as unknown;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new GatewayError('GW_ERR_VALIDATION', `${mismatchPrefix(event.type)}data_base64 is not valid JSON (datacontenttype ${JSON.stringify(event.datacontenttype)}): ${reason}`);
  }
}

/** One ajv error as a violation: `/email must match format "email"`, pointer `/email`. */
export function violationOf(error: ErrorObject): ErrorDetail {
  let text = error.message ?? `must pass "${error.keyword}" keyword validation`;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') text += `: '${String(params['additionalProperty'])}'`;
  else if (error.keyword === 'unevaluatedProperties') text += `: '${String(params['unevaluatedProperty'])}'`;
  return { message: error.instancePath === '' ? text : `${error.instancePath} ${text}`, pointer: error.instancePath };
}

/** The 400 for data that does not match: every violation in the message, and each one in `details`. */
export function mismatchError(eventType: string, errors: readonly ErrorObject[]): GatewayError {
  const listed = errors.slice(0, MAX_LISTED_VIOLATIONS).map(violationOf);
  const more = errors.length - listed.length;
  const summary = listed.map((v) => (v.message.length > MAX_SUMMARY_ITEM ? `${v.message.slice(0, MAX_SUMMARY_ITEM)}…` : v.message));
  if (more > 0) summary.push(`and ${more} more`);
  // An ajv error list is never empty for a failed validation; keep the message meaningful if it ever is.
  const text = summary.length > 0 ? summary.join('; ') : 'the data is not valid';
  return new GatewayError('GW_ERR_VALIDATION', mismatchPrefix(eventType) + text, { details: listed });
}

/** The 400 for data nested too deeply for a recursive schema to walk (the validator ran out of stack). */
export function tooDeepError(eventType: string, cause: unknown): GatewayError {
  return new GatewayError('GW_ERR_VALIDATION', `${mismatchPrefix(eventType)}the data is nested too deeply to be validated`, { cause });
}
