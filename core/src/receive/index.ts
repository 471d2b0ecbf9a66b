/**
 * The receive stage's request parser: an Events API request → the CloudEvents it carries (DESIGN §4 step 1,
 * reference §4.2–4.4). Modes, in precedence order:
 *
 * 1. structured (`application/cloudevents+json`): CloudEvents 1.0 when the body has `specversion`, else 0.1;
 * 2. batch (`application/cloudevents-batch+json`): an array of 1.0 events (an empty array is a valid empty batch);
 * 3. binary 1.0 (`ce-specversion` header);
 * 4. binary 0.1 (all four of `CE-EventType`, `CE-CloudEventsVersion`, `CE-Source`, `CE-EventID`);
 * 5. legacy `Event: <type>` header;
 * 6. anything else: an `http.request` event whose data describes the request.
 */
import type { IncomingRequest, ReceivedEvents } from '../context.ts';
import { HTTP_REQUEST_EVENT } from '../event.ts';
import type { CloudEvent, SpecVersion } from '../event.ts';
import { newGatewayEvent } from './gateway-event.ts';
import { buildHttpRequestData, headerValue } from './http-request.ts';
import { normalizeBody, parseMediaType, v1Payload } from './media.ts';
import type { MediaType } from './media.ts';
import { hasV01Keys, isBinaryV01, parseBinaryV01, parseStructuredV01, tryParseV01 } from './v01.ts';
import { invalidEvent, parseBatch, parseBinaryV1, parseJsonBody, parseStructuredV1, unsupportedSpecVersion } from './v1.ts';

export { newGatewayEvent } from './gateway-event.ts';
export type { GatewayEventOptions } from './gateway-event.ts';
export { canonicalHeaderKey, flattenHeaders, httpRequestData } from './http-request.ts';
export { isJsonType, normalizeBody, parseMediaType } from './media.ts';
export type { MediaType } from './media.ts';

export const STRUCTURED_MEDIA_TYPE = 'application/cloudevents+json';
export const BATCH_MEDIA_TYPE = 'application/cloudevents-batch+json';

export interface ParseOptions {
  /** The spec version of the events the gateway makes (`http.request`, legacy `Event:` events). */
  readonly envelope: SpecVersion;
  /** Clock for gateway-made events (tests). */
  readonly now?: () => Date;
  /** Id generator for gateway-made events (tests); defaults to UUID v4. */
  readonly newId?: () => string;
}

function one(event: CloudEvent, specVersion: SpecVersion): ReceivedEvents {
  return { events: [event], specVersion, batch: false };
}

function made(type: string, data: unknown, contentType: string, options: ParseOptions): CloudEvent {
  return newGatewayEvent(type, data, {
    envelope: options.envelope,
    contentType,
    id: options.newId?.(),
    time: options.now?.().toISOString(),
  });
}

function structured(body: Buffer): ReceivedEvents {
  const value = parseJsonBody(body);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidEvent("CloudEvent doesn't validate: a structured CloudEvent must be a JSON object");
  }
  const obj = value as Record<string, unknown>;
  if (obj['specversion'] !== undefined && obj['specversion'] !== null) return one(parseStructuredV1(obj), '1.0');
  if (hasV01Keys(obj)) return one(parseStructuredV01(obj), '0.1');
  throw invalidEvent(
    'CloudEvent doesn\'t validate: missing "specversion" (CloudEvents 1.0) or "cloudEventsVersion" (CloudEvents 0.1)',
  );
}

/**
 * Legacy mode (reference §4.2 branch 3): an `application/json` body that is a full, valid 0.1 event is used as is (its
 * eventType wins over the header); otherwise a new event of the header's type is made, with the body as data and
 * the media type as content type. With the 1.0 envelope the body follows 1.0 rules (JSON value, text, or
 * `data_base64` for other bytes); with 0.1 it follows §4.3 (base64 string for other bytes).
 */
function legacy(request: IncomingRequest, type: string, media: MediaType, options: ParseOptions): ReceivedEvents {
  if (media.type === 'application/json' && request.body.length > 0) {
    const event = tryParseV01(request.body);
    if (event !== undefined) return one(event, '0.1');
  }
  if (options.envelope === '0.1') return one(made(type, normalizeBody(request.body, media, false), media.type, options), '0.1');
  const payload = v1Payload(request.body, media, false);
  const event = made(type, payload.data, media.type, options);
  if (payload.data_base64 !== undefined) event.data_base64 = payload.data_base64;
  return one(event, '1.0');
}

/**
 * Parse an Events API request into the events it carries. Synchronous; throws a 400 GatewayError whose message names
 * the problem (`GW_ERR_BAD_MEDIA_TYPE` for a malformed Content-Type, `GW_ERR_INVALID_EVENT` otherwise).
 */
export function parseRequest(request: IncomingRequest, options: ParseOptions): ReceivedEvents {
  const headers = request.headers;
  let rawContentType = headerValue(headers['content-type']);
  if (rawContentType === '') rawContentType = undefined;
  const media = parseMediaType(rawContentType);

  if (media.type === STRUCTURED_MEDIA_TYPE) return structured(request.body);
  if (media.type === BATCH_MEDIA_TYPE) return { events: parseBatch(request.body), specVersion: '1.0', batch: true };

  const ceSpecVersion = headerValue(headers['ce-specversion']);
  if (ceSpecVersion !== undefined && ceSpecVersion !== '') {
    if (ceSpecVersion !== '1.0') throw unsupportedSpecVersion(ceSpecVersion);
    return one(parseBinaryV1(request, media, rawContentType), '1.0');
  }
  if (isBinaryV01(headers)) return one(parseBinaryV01(request, media, rawContentType), '0.1');

  const eventType = headerValue(headers['event']);
  if (eventType !== undefined && eventType !== '') return legacy(request, eventType, media, options);

  const body = request.body.length === 0 ? '' : normalizeBody(request.body, media, false);
  const data = buildHttpRequestData(request, null, body);
  return one(made(HTTP_REQUEST_EVENT, data, 'application/json', options), options.envelope);
}
