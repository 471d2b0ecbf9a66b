/**
 * Where an authorization travels with an event (reference §5):
 * - CloudEvents 0.1: `extensions.eventgateway.authorization`, merged into an existing `eventgateway` object (a
 *   non-object `eventgateway` value is replaced), as the original does;
 * - CloudEvents 1.0: the extension attribute `eventgatewayauthorization`, whose value is the authorization object
 *   itself (`{principalId, context}`). Structured delivery sends it as a JSON object; binary delivery sends it as
 *   JSON text in the `ce-eventgatewayauthorization` header (core's encoder). An object is not one of the CloudEvents
 *   1.0 attribute types: it is kept so that 0.1 and 1.0 functions read the same shape; see the README.
 *
 * Events are never mutated: every function returns a copy when it changes something.
 */
import type { CloudEvent } from '@switchyard/core';
import type { Authorization } from './types.ts';
import { isRecord } from '@switchyard/core';

export const AUTHORIZATION_ATTRIBUTE = 'eventgatewayauthorization';
const EXTENSION = 'eventgateway';

/** The event with `authorization` attached in its version's place. */
export function attachAuthorization(event: CloudEvent, authorization: Authorization): CloudEvent {
  if (event.specversion !== '0.1') return { ...event, [AUTHORIZATION_ATTRIBUTE]: authorization };
  const extensions = isRecord(event['extensions']) ? event['extensions'] : {};
  const gateway = isRecord(extensions[EXTENSION]) ? extensions[EXTENSION] : {};
  return { ...event, extensions: { ...extensions, [EXTENSION]: { ...gateway, authorization } } };
}

/**
 * The event without any authorization a client put in it (a function must be able to trust what it finds there):
 * `eventgatewayauthorization` on any event, and `extensions.eventgateway.authorization` on a 0.1 event. The same
 * object when there is nothing to remove.
 */
export function stripAuthorization(event: CloudEvent): CloudEvent {
  let out = event;
  if (Object.hasOwn(event, AUTHORIZATION_ATTRIBUTE)) {
    out = { ...event };
    delete out[AUTHORIZATION_ATTRIBUTE];
  }
  const extensions = event['extensions'];
  if (event.specversion === '0.1' && isRecord(extensions) && isRecord(extensions[EXTENSION]) && Object.hasOwn(extensions[EXTENSION], 'authorization')) {
    const gateway = { ...extensions[EXTENSION] };
    delete gateway['authorization'];
    out = { ...out, extensions: { ...extensions, [EXTENSION]: gateway } };
  }
  return out;
}
