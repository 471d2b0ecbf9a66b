/**
 * The event model. Inside the gateway an event is a CloudEvents 1.0 object (lower-case attribute names).
 * It remembers the spec version it arrived in (`EventContext.specVersion`) and is delivered in that version.
 *
 * A CloudEvents 0.1 event is held in the same shape: `eventType`→`type`, `eventID`→`id`, `eventTime`→`time`,
 * `contentType`→`datacontenttype`, `schemaURL`→`dataschema`, `eventTypeVersion`→`eventtypeversion`, and the 0.1
 * `extensions` map, whose values may be objects, is kept whole under the attribute `extensions`.
 * `specversion` is `"1.0"` for 1.0 events and `"0.1"` for 0.1 events.
 */

export type SpecVersion = '1.0' | '0.1';

export interface CloudEvent {
  specversion: string;
  id: string;
  source: string;
  type: string;
  time?: string;
  datacontenttype?: string;
  dataschema?: string;
  subject?: string;
  data?: unknown;
  data_base64?: string;
  [extension: string]: unknown;
}

/** The event type of requests that are not CloudEvents (reference §4.4). */
export const HTTP_REQUEST_EVENT = 'http.request';

/** Prefix of the gateway's own event types; clients may not emit them. */
export const SYSTEM_EVENT_PREFIX = 'eventgateway.';

export const SystemEventType = {
  EVENT_RECEIVED: 'eventgateway.event.received',
  FUNCTION_INVOKING: 'eventgateway.function.invoking',
  FUNCTION_INVOKED: 'eventgateway.function.invoked',
  FUNCTION_INVOCATION_FAILED: 'eventgateway.function.invocationFailed',
  EVENT_REJECTED: 'eventgateway.event.rejected',
  DELIVERY_RETRIED: 'eventgateway.delivery.retried',
  DELIVERY_DEAD_LETTERED: 'eventgateway.delivery.deadLettered',
} as const;
export type SystemEventType = (typeof SystemEventType)[keyof typeof SystemEventType];

/** Source of the events the gateway makes (the original's value, reference §4.2). */
export const GATEWAY_EVENT_SOURCE = 'https://serverless.com/event-gateway/#transformationVersion=0.1';

/** CloudEvents extension that counts how many times gateway-made events were chained (loop protection). */
export const HOP_EXTENSION = 'eventgatewayhops';

/** The flattened request data of an `http.request` event (reference §4.4). */
export interface HttpRequestData {
  headers: Record<string, string>;
  query: Record<string, string[]>;
  body: unknown;
  host: string;
  path: string;
  method: string;
  params: Record<string, string> | null;
}

export function isSystemEventType(type: string): boolean {
  return type.startsWith(SYSTEM_EVENT_PREFIX);
}

/**
 * The hop count of an event: its `eventgatewayhops` attribute (CloudEvents 1.0; an integer, or its decimal string
 * as binary mode sends it) or, for a 0.1 event, the same key in its `extensions`. 0 when absent or not a
 * non-negative integer.
 */
export function hopsOf(event: CloudEvent): number {
  const extensions = event['extensions'];
  const value = event[HOP_EXTENSION] ?? (isRecord(extensions) ? extensions[HOP_EXTENSION] : undefined);
  const hops = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(hops) && hops >= 0 ? hops : 0;
}

/** `event` with its hop count set (in `extensions` for a 0.1 event). Mutates and returns `event`. */
export function setHops(event: CloudEvent, hops: number): CloudEvent {
  if (event.specversion === '0.1') {
    const extensions = event['extensions'];
    event['extensions'] = { ...(isRecord(extensions) ? extensions : {}), [HOP_EXTENSION]: hops };
  } else {
    event[HOP_EXTENSION] = hops;
  }
  return event;
}

/** A JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
