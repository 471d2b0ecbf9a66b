/**
 * Encoding events for delivery, in the spec version they arrived in (DESIGN §5).
 */
import type { CloudEvent, SpecVersion } from './event.ts';

export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json';

/** The CloudEvents 0.1 JSON object, with the original's field order (reference §4.5). */
export function toV01(event: CloudEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { eventType: event.type };
  if (event['eventtypeversion'] !== undefined) out['eventTypeVersion'] = event['eventtypeversion'];
  out['cloudEventsVersion'] = event.specversion === '1.0' ? '0.1' : event.specversion;
  out['source'] = event.source;
  out['eventID'] = event.id;
  if (event.time !== undefined) out['eventTime'] = event.time;
  if (event.dataschema !== undefined) out['schemaURL'] = event.dataschema;
  if (event['extensions'] !== undefined && event['extensions'] !== null) out['extensions'] = event['extensions'];
  if (event.datacontenttype !== undefined) out['contentType'] = event.datacontenttype;
  out['data'] = event.data ?? (event.data_base64 !== undefined ? event.data_base64 : null);
  return out;
}

/** The event as it goes on the wire in its spec version: the 0.1 object for 0.1 events, else the 1.0 object itself. */
export function wireEvent(event: CloudEvent, specVersion: SpecVersion): CloudEvent | Record<string, unknown> {
  return specVersion === '0.1' ? toV01(event) : event;
}

/** Structured mode: the JSON body a function receives. */
export function encodeStructured(event: CloudEvent, specVersion: SpecVersion): { contentType: string; body: string } {
  return {
    contentType: STRUCTURED_CONTENT_TYPE,
    body: JSON.stringify(wireEvent(event, specVersion)),
  };
}

const BINARY_SKIP = new Set(['data', 'data_base64', 'datacontenttype']);

/**
 * Binary mode: attributes as `ce-*` headers, data as the body. A CloudEvents 0.1 event (specversion `0.1`) keeps its
 * version: the 0.1 HTTP transport binding's `CE-EventType`, `CE-CloudEventsVersion`, …, `CE-X-<extension>` headers.
 */
export function encodeBinary(event: CloudEvent): { headers: Record<string, string>; body: string | Buffer } {
  const headers: Record<string, string> = event.specversion === '0.1' ? binaryV01Headers(event) : {};
  if (event.specversion !== '0.1') {
    for (const [name, value] of Object.entries(event)) {
      if (BINARY_SKIP.has(name) || value === undefined || value === null) continue;
      headers[`ce-${name}`] = encodeHeaderValue(typeof value === 'string' ? value : JSON.stringify(value));
    }
  }
  let body: string | Buffer;
  if (event.data_base64 !== undefined) body = Buffer.from(event.data_base64, 'base64');
  else if (typeof event.data === 'string') body = event.data;
  else body = event.data === undefined ? '' : JSON.stringify(event.data);
  const contentType = event.datacontenttype ?? (typeof event.data === 'string' ? 'text/plain' : 'application/json');
  headers['content-type'] = contentType;
  return { headers, body };
}

/** CloudEvents HTTP binding §3.1.3.2: percent-encode space, `"`, `%` and anything outside printable ASCII. */
function encodeHeaderValue(value: string): string {
  return value.replace(/[^\x21-\x7E]|["%]/gu, (c) => encodeURIComponent(c));
}

/** CloudEvents 0.1 binary headers; extension values that are not strings are sent as JSON. */
function binaryV01Headers(event: CloudEvent): Record<string, string> {
  const v01 = toV01(event);
  const headers: Record<string, string> = {};
  for (const [field, header] of V01_HEADERS) {
    const value = v01[field];
    if (typeof value === 'string' && value !== '') headers[header] = encodeV01HeaderValue(value);
  }
  const extensions = v01['extensions'];
  if (typeof extensions === 'object' && extensions !== null) {
    for (const [name, value] of Object.entries(extensions)) {
      if (value === undefined || value === null || !HEADER_TOKEN.test(name)) continue;
      headers[`ce-x-${name.toLowerCase()}`] = encodeV01HeaderValue(typeof value === 'string' ? value : JSON.stringify(value));
    }
  }
  return headers;
}

const V01_HEADERS: readonly (readonly [string, string])[] = [
  ['eventType', 'ce-eventtype'], ['eventTypeVersion', 'ce-eventtypeversion'], ['cloudEventsVersion', 'ce-cloudeventsversion'],
  ['source', 'ce-source'], ['eventID', 'ce-eventid'], ['eventTime', 'ce-eventtime'], ['schemaURL', 'ce-schemaurl'],
];
const HEADER_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** 0.1 receivers (the original) read header values verbatim: only what cannot be sent as is gets percent-encoded. */
function encodeV01HeaderValue(value: string): string {
  return value.replace(/[^\x20-\x7E]/gu, (c) => encodeURIComponent(c));
}
