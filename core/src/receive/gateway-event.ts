/**
 * Events the gateway makes itself: `http.request`, legacy `Event:` events, system events (reference §4.2, §8).
 */
import { randomUUID } from 'node:crypto';
import { GATEWAY_EVENT_SOURCE } from '../event.ts';
import type { CloudEvent, SpecVersion } from '../event.ts';

export interface GatewayEventOptions {
  /** `'0.1'` replicates the original's `event.New`; `'1.0'` makes a plain CloudEvents 1.0 event. */
  readonly envelope: SpecVersion;
  readonly contentType?: string;
  /** Defaults to GATEWAY_EVENT_SOURCE. */
  readonly source?: string;
  /** Defaults to a new UUID v4. */
  readonly id?: string;
  /** Defaults to now, as an ISO 8601 / RFC 3339 timestamp. */
  readonly time?: string;
}

/**
 * A new gateway-made event. Envelope `'0.1'`: specversion `0.1`, the `eventgateway` transformed-marker extensions
 * (as the original's `event.New`). Envelope `'1.0'`: specversion `1.0`, no extensions. `data` undefined gives an
 * event without data.
 */
export function newGatewayEvent(type: string, data: unknown, options: GatewayEventOptions): CloudEvent {
  const v01 = options.envelope === '0.1';
  const event: CloudEvent = {
    specversion: v01 ? '0.1' : '1.0',
    id: options.id ?? randomUUID(),
    source: options.source ?? GATEWAY_EVENT_SOURCE,
    type,
    time: options.time ?? new Date().toISOString(),
  };
  if (v01) event['extensions'] = { eventgateway: { transformed: 'true', 'transformation-version': '0.1' } };
  if (options.contentType !== undefined) event.datacontenttype = options.contentType;
  if (data !== undefined) event.data = data;
  return event;
}
