/**
 * Encoding events for the Events API: CloudEvents 1.0 structured, binary and batch, and 0.1 structured (the
 * Serverless Event Gateway's format). `id`/`eventID`, `time`/`eventTime` and the spec version are filled when
 * absent. Replies are decoded by media type.
 */

/** A CloudEvents 1.0 event to emit. `id`, `time` and `specversion` are filled when absent. */
export interface CloudEventInput {
  specversion?: '1.0';
  id?: string;
  /** URI-reference, e.g. `/checkout` or `https://shop.example.com`. */
  source: string;
  type: string;
  /** RFC 3339; now when absent. */
  time?: string;
  datacontenttype?: string;
  dataschema?: string;
  subject?: string;
  /** Any JSON value, a string, or bytes (`Uint8Array`: sent as `data_base64` in structured mode, raw in binary mode). */
  data?: unknown;
  data_base64?: string;
  /** Extension attributes: lower-case names, string, boolean or integer values. */
  [extension: string]: unknown;
}

/** A CloudEvents 0.1 event (the Serverless Event Gateway's format). `eventID`, `eventTime` and `cloudEventsVersion` are filled when absent. */
export interface CloudEventV01Input {
  cloudEventsVersion?: '0.1';
  eventType: string;
  eventTypeVersion?: string;
  source: string;
  eventID?: string;
  eventTime?: string;
  schemaURL?: string;
  contentType?: string;
  extensions?: Record<string, unknown>;
  data?: unknown;
}

/** The events `emit` accepts: one 1.0 event, one 0.1 event, or an array of 1.0 events (a batch). */
export type EmittableEvent = CloudEventInput | CloudEventV01Input | readonly CloudEventInput[];

/** How a single CloudEvents 1.0 event is sent: as a JSON document (default) or as `ce-*` headers and a body. */
export type EmitMode = 'structured' | 'binary';

/** An encoded request: headers and body. */
export interface EncodedEvent {
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array;
}

const encoder = new TextEncoder();

/** A UUID v4 (`crypto.randomUUID`, or from `crypto.getRandomValues` outside secure browser contexts). */
export function newId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Whether a media type is JSON: `application/json`, `text/json`, `…+json` (parameters ignored). */
export function isJsonMediaType(contentType: string | null | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || type === 'text/json' || type.endsWith('+json');
}

/** Whether `event` is a 0.1 event (it has `eventType` or `cloudEventsVersion` and no `type`). */
export function isV01(event: EmittableEvent): event is CloudEventV01Input {
  return !Array.isArray(event) && !('type' in event) && ('eventType' in event || 'cloudEventsVersion' in event);
}

/** A 1.0 event with `specversion`, `id` and `time` filled, and bytes data as `data_base64`. */
export function completeV1(event: CloudEventInput, now: Date = new Date()): Record<string, unknown> {
  const { data, ...rest } = event;
  const out: Record<string, unknown> = { specversion: '1.0', id: '', ...rest };
  out['specversion'] = rest.specversion ?? '1.0';
  out['id'] = rest.id ?? newId();
  out['time'] = rest.time ?? now.toISOString();
  if (data instanceof Uint8Array) out['data_base64'] = base64(data);
  else if (data !== undefined) out['data'] = data;
  return out;
}

/** A 0.1 event with `cloudEventsVersion`, `eventID` and `eventTime` filled, in the original's field order. */
export function completeV01(event: CloudEventV01Input, now: Date = new Date()): Record<string, unknown> {
  return {
    eventType: event.eventType,
    ...(event.eventTypeVersion === undefined ? {} : { eventTypeVersion: event.eventTypeVersion }),
    cloudEventsVersion: event.cloudEventsVersion ?? '0.1',
    source: event.source,
    eventID: event.eventID ?? newId(),
    eventTime: event.eventTime ?? now.toISOString(),
    ...(event.schemaURL === undefined ? {} : { schemaURL: event.schemaURL }),
    ...(event.extensions === undefined ? {} : { extensions: event.extensions }),
    ...(event.contentType === undefined ? {} : { contentType: event.contentType }),
    ...(event.data === undefined ? {} : { data: event.data }),
  };
}

/**
 * A header value as the CloudEvents HTTP binding wants it: space, `"`, `%` and anything outside printable ASCII
 * percent-encoded (UTF-8).
 */
export function encodeHeaderValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code > 0x20 && code < 0x7f && ch !== '"' && ch !== '%') out += ch;
    else for (const b of encoder.encode(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Binary mode: attributes as `ce-*` headers, `data` as the body with `datacontenttype` as its Content-Type. */
function binary(event: CloudEventInput, now: Date): EncodedEvent {
  const complete = completeV1(event, now);
  const headers: Record<string, string> = {};
  let contentType = typeof complete['datacontenttype'] === 'string' ? complete['datacontenttype'] : undefined;
  for (const [name, value] of Object.entries(complete)) {
    if (name === 'data' || name === 'data_base64' || name === 'datacontenttype' || value === undefined || value === null) continue;
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- extension values are strings, booleans or integers (CloudEventInput)
    headers[`ce-${name}`] = encodeHeaderValue(String(value));
  }
  let body: string | Uint8Array = '';
  const data = event.data;
  if (typeof complete['data_base64'] === 'string') {
    body = fromBase64(complete['data_base64']);
    contentType ??= 'application/octet-stream';
  } else if (data !== undefined) {
    if (typeof data === 'string' && !isJsonMediaType(contentType)) {
      body = data;
      contentType ??= 'text/plain; charset=utf-8';
    } else {
      body = JSON.stringify(data);
      contentType ??= 'application/json';
    }
  }
  if (contentType !== undefined) headers['content-type'] = contentType;
  return { headers, body };
}

/** The request for `event` in `mode` (batch for an array, 0.1 structured for a 0.1 event). */
export function encodeEvent(event: EmittableEvent, mode: EmitMode = 'structured', now: Date = new Date()): EncodedEvent {
  if (Array.isArray(event)) {
    const batch = (event as readonly CloudEventInput[]).map((e) => completeV1(e, now));
    return { headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(batch) };
  }
  if (isV01(event)) {
    if (mode !== 'structured') throw new TypeError('CloudEvents 0.1 events are emitted in structured mode only');
    return { headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(completeV01(event, now)) };
  }
  const single = event as CloudEventInput;
  if (mode === 'binary') return binary(single, now);
  return { headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(completeV1(single, now)) };
}

/** How `call` and `emit` decode a reply body. `auto`: JSON for JSON media types, text for text, else bytes. */
export type ResponseType = 'auto' | 'json' | 'text' | 'bytes';

const TEXT_TYPES = /^(text\/|application\/(xml|javascript|x-www-form-urlencoded)$|.*\+xml$)/;

/**
 * A reply body decoded: `undefined` when empty; with `auto`, parsed JSON for a JSON media type (text when it does
 * not parse), a string for `text/*`, XML or any type with a `charset`, a string for no Content-Type when the bytes
 * are valid UTF-8, else the bytes.
 */
export function decodeBody(bytes: Uint8Array, contentType: string | null, responseType: ResponseType = 'auto'): unknown {
  if (responseType === 'bytes') return bytes;
  if (bytes.length === 0) return undefined;
  if (responseType === 'text') return new TextDecoder().decode(bytes);
  if (responseType === 'json' || isJsonMediaType(contentType)) {
    const text = new TextDecoder().decode(bytes);
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      if (responseType === 'json') throw err;
      return text;
    }
  }
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (TEXT_TYPES.test(type) || /;\s*charset=/i.test(contentType ?? '')) return new TextDecoder().decode(bytes);
  if (type === '') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return bytes;
    }
  }
  return bytes;
}
