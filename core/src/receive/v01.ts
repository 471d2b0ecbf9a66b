/**
 * CloudEvents 0.1, as the original reads it (reference §4.2): structured mode (Go's case-insensitive JSON decoding into
 * its `Event` struct, then go-playground/validator) and binary mode (`CE-*` headers). Error texts are Go's.
 *
 * The event is held in the 1.0 shape described in event.ts; optional strings that are empty are dropped, as Go's
 * `omitempty` drops them on the way out.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { IncomingRequest } from '../context.ts';
import type { CloudEvent } from '../event.ts';
import { goIsURI, goParseTimeError } from './go-compat.ts';
import { canonicalHeaderKey, headerValue } from './http-request.ts';
import { normalizeBody } from './media.ts';
import type { MediaType } from './media.ts';
import { invalidEvent } from './v1.ts';
import { parseBoundedJson } from '../json-depth.ts';

type Field =
  | 'eventType' | 'eventTypeVersion' | 'cloudEventsVersion' | 'source' | 'eventID'
  | 'eventTime' | 'schemaURL' | 'extensions' | 'contentType' | 'data';

/** JSON key (lower-cased, as Go matches keys case-insensitively) → the struct's JSON name. */
const FIELDS: ReadonlyMap<string, Field> = new Map(
  (['eventType', 'eventTypeVersion', 'cloudEventsVersion', 'source', 'eventID', 'eventTime', 'schemaURL', 'extensions',
    'contentType', 'data'] as const).map((f) => [f.toLowerCase(), f]),
);

/** The decoded struct (strings default to "", as in Go). */
interface Decoded {
  eventType: string;
  eventTypeVersion: string;
  cloudEventsVersion: string;
  source: string;
  eventID: string;
  eventTime: string | undefined;
  schemaURL: string;
  extensions: Record<string, unknown> | undefined;
  contentType: string;
  data: unknown;
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value; // 'number' | 'string' | 'object'
}

function typeError(field: Field, value: unknown, goType: string): string {
  return `json: cannot unmarshal ${jsonKind(value)} into Go struct field Event.${field} of type ${goType}`;
}

/**
 * Go's `json.Unmarshal(body, &Event{})` on an already-parsed object: keys matched case-insensitively (last one
 * wins), unknown keys ignored, the first type or time error returned (its text is Go's).
 */
function decode(obj: Record<string, unknown>): Decoded | string {
  const out: Decoded = {
    eventType: '', eventTypeVersion: '', cloudEventsVersion: '', source: '', eventID: '',
    eventTime: undefined, schemaURL: '', extensions: undefined, contentType: '', data: undefined,
  };
  for (const key in obj) {
    const field = FIELDS.get(key.toLowerCase());
    if (field === undefined) continue;
    const value = obj[key];
    switch (field) {
      case 'data':
        out.data = value;
        break;
      case 'eventTime': {
        if (value === null) { out.eventTime = undefined; break; }
        const problem = goParseTimeError(JSON.stringify(value), true);
        if (problem !== undefined) return problem;
        out.eventTime = value as string;
        break;
      }
      case 'extensions':
        if (value === null) { out.extensions = undefined; break; }
        if (typeof value !== 'object' || Array.isArray(value)) return typeError(field, value, 'map[string]interface {}');
        out.extensions = value as Record<string, unknown>;
        break;
      default:
        if (value === null) break; // Go: null leaves a string unchanged
        if (typeof value !== 'string') return typeError(field, value, 'string');
        out[field] = value;
    }
  }
  return out;
}

function tagError(field: string, tag: string): string {
  return `Key: 'Event.${field}' Error:Field validation for '${field}' failed on the '${tag}' tag`;
}

/** go-playground/validator on the struct: `CloudEvent doesn't validate: Key: 'Event.X' …` lines, or undefined. */
function validate(e: Decoded): string | undefined {
  const errors: string[] = [];
  if (e.eventType === '') errors.push(tagError('EventType', 'required'));
  if (e.cloudEventsVersion === '') errors.push(tagError('CloudEventsVersion', 'required'));
  if (!goIsURI(e.source)) errors.push(tagError('Source', 'uri'));
  if (e.eventID === '') errors.push(tagError('EventID', 'required'));
  return errors.length === 0 ? undefined : `CloudEvent doesn't validate: ${errors.join('\n')}`;
}

function toEvent(e: Decoded): CloudEvent {
  // event.ts: a 0.1 event's specversion is "0.1" (the pipeline tells versions apart by it), whatever non-empty
  // cloudEventsVersion was sent; encoding writes cloudEventsVersion "0.1" back.
  const event: CloudEvent = { specversion: '0.1', id: e.eventID, source: e.source, type: e.eventType };
  if (e.eventTypeVersion !== '') event['eventtypeversion'] = e.eventTypeVersion;
  if (e.eventTime !== undefined) event.time = e.eventTime;
  if (e.schemaURL !== '') event.dataschema = e.schemaURL;
  if (e.extensions !== undefined && Object.keys(e.extensions).length > 0) event['extensions'] = e.extensions;
  if (e.contentType !== '') event.datacontenttype = e.contentType;
  if (e.data !== undefined) event.data = e.data;
  return event;
}

/** Whether a structured body looks like CloudEvents 0.1 (has any of its required keys, in any case). */
export function hasV01Keys(obj: Record<string, unknown>): boolean {
  for (const key in obj) {
    const field = FIELDS.get(key.toLowerCase());
    if (field === 'cloudEventsVersion' || field === 'eventType' || field === 'eventID') return true;
  }
  return false;
}

/** Structured 0.1: decode and validate, throwing a 400 with the original's message. */
export function parseStructuredV01(obj: Record<string, unknown>): CloudEvent {
  const decoded = decode(obj);
  if (typeof decoded === 'string') throw invalidEvent(decoded);
  const problem = validate(decoded);
  if (problem !== undefined) throw invalidEvent(problem);
  return toEvent(decoded);
}

/** A full, valid 0.1 event in a legacy-mode JSON body, or undefined (the original then makes a new event). */
export function tryParseV01(body: Buffer): CloudEvent | undefined {
  let value: unknown;
  try {
    value = parseBoundedJson(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const decoded = decode(value as Record<string, unknown>);
  if (typeof decoded === 'string' || validate(decoded) !== undefined) return undefined;
  return toEvent(decoded);
}

function first(headers: IncomingHttpHeaders, name: string): string {
  return headerValue(headers[name]) ?? '';
}

/** Binary 0.1 needs all four of CE-EventType, CE-CloudEventsVersion, CE-Source and CE-EventID (non-empty). */
export function isBinaryV01(headers: IncomingHttpHeaders): boolean {
  return first(headers, 'ce-eventtype') !== '' && first(headers, 'ce-cloudeventsversion') !== ''
    && first(headers, 'ce-source') !== '' && first(headers, 'ce-eventid') !== '';
}

const EXTENSION_PREFIX = 'Ce-X-';

/**
 * Binary 0.1. Every `CE-X-<Name>` header becomes `extensions[<name, first letter lower-cased>]`, from Go's canonical
 * header name (`CE-X-MyExtension` → `myextension`, `ce-x-my-ext` → `my-Ext`), with the exact prefix stripped (the
 * original's TrimLeft quirk is fixed). Data is normalised per §4.3 (a JSON media type whose body does not parse is a
 * 400); `contentType` is the raw Content-Type header.
 */
export function parseBinaryV01(request: IncomingRequest, media: MediaType, rawContentType: string | undefined): CloudEvent {
  const headers = request.headers;
  const decoded: Decoded = {
    eventType: first(headers, 'ce-eventtype'),
    eventTypeVersion: first(headers, 'ce-eventtypeversion'),
    cloudEventsVersion: first(headers, 'ce-cloudeventsversion'),
    source: first(headers, 'ce-source'),
    eventID: first(headers, 'ce-eventid'),
    eventTime: undefined,
    schemaURL: first(headers, 'ce-schemaurl'),
    extensions: undefined,
    contentType: rawContentType ?? '',
    data: undefined,
  };
  const problem = validate(decoded);
  if (problem !== undefined) throw invalidEvent(problem);
  const time = first(headers, 'ce-eventtime');
  if (time !== '') {
    const timeProblem = goParseTimeError(time, false);
    if (timeProblem !== undefined) throw invalidEvent(timeProblem);
    decoded.eventTime = time;
  }
  const names: string[] = [];
  for (const name in headers) if (name.length > 5 && name.startsWith('ce-x-')) names.push(name);
  if (names.length > 0) {
    const extensions: Record<string, unknown> = {};
    const entries: [string, string][] = [];
    for (const name of names) {
      const key = canonicalHeaderKey(name).slice(EXTENSION_PREFIX.length);
      entries.push([key.charAt(0).toLowerCase() + key.slice(1), headerValue(headers[name]) ?? '']);
    }
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)); // Go marshals maps with sorted keys
    for (const [key, value] of entries) extensions[key] = value;
    decoded.extensions = extensions;
  }
  decoded.data = normalizeBody(request.body, media, true);
  return toEvent(decoded);
}
