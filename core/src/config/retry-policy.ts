/**
 * Switchyard's subscription fields about async delivery: the optional `retryPolicy` (read from the body, checked
 * field by field, stored only when sent) and the refusal of subscriptions that would form a cycle of system events
 * (see "Loop protection" in core/README.md).
 */
import { GatewayError } from '../errors.ts';
import { SystemEventType } from '../event.ts';
import type { RetryPolicy } from '../queue.ts';
import type { Subscription } from '../resources.ts';
import { validationError } from './validate.ts';

/** Upper bounds of each field; lower bounds are 1. */
export const RETRY_POLICY_LIMITS: Readonly<Record<keyof RetryPolicy, number>> = Object.freeze({
  maxAttempts: 100,
  minBackoffMs: 3_600_000, // 1 hour
  maxBackoffMs: 86_400_000, // 1 day
  maxAgeMs: 604_800_000, // 7 days
});

const FIELDS = Object.keys(RETRY_POLICY_LIMITS) as (keyof RetryPolicy)[];

/**
 * The `retryPolicy` of a subscription body: `undefined` when absent or `null`; otherwise an object whose fields are
 * each optional, integers from 1 to their limit, with `minBackoffMs ≤ maxBackoffMs` when both are given.
 * Throws the subscription's validation error (400) naming the field.
 */
export function parseRetryPolicy(body: unknown): Partial<RetryPolicy> | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const raw = (body as Record<string, unknown>)['retryPolicy'];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid('retryPolicy must be an object');
  const out: { -readonly [K in keyof RetryPolicy]?: number } = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(FIELDS as string[]).includes(key)) {
      throw invalid(`retryPolicy has an unknown field "${key}" (allowed: ${FIELDS.join(', ')})`);
    }
    if (value === null || value === undefined) continue;
    const field = key as keyof RetryPolicy;
    const limit = RETRY_POLICY_LIMITS[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > limit) {
      throw invalid(`retryPolicy.${field} must be an integer from 1 to ${limit}`);
    }
    out[field] = value;
  }
  if (out.minBackoffMs !== undefined && out.maxBackoffMs !== undefined && out.minBackoffMs > out.maxBackoffMs) {
    throw invalid('retryPolicy.minBackoffMs must not be greater than retryPolicy.maxBackoffMs');
  }
  // Go's field order, whatever order the client sent.
  const ordered: { -readonly [K in keyof RetryPolicy]?: number } = {};
  for (const field of FIELDS) if (out[field] !== undefined) ordered[field] = out[field];
  return ordered;
}

function invalid(message: string): GatewayError {
  return validationError('subscriptions', message);
}

/**
 * Refuse (400) a subscription that would form a cycle of system events. Deliveries of system events make no
 * `function.*` or `event.*` events, and a dead-lettered delivery of an `eventgateway.delivery.*` event is kept and
 * logged but announced by no event, so the one cycle left is an async `POST /` subscription to
 * `eventgateway.delivery.retried` whose own failed deliveries would be retried: each retry would make another
 * `delivery.retried` event for the same subscription. It is accepted with `retryPolicy.maxAttempts: 1` (its failed
 * deliveries are then dead-lettered silently).
 */
export function checkSystemEventCycle(sub: Subscription): void {
  if (sub.type !== 'async' || sub.method !== 'POST' || sub.path !== '/') return;
  if (sub.eventType !== SystemEventType.DELIVERY_RETRIED) return;
  if (sub.retryPolicy?.maxAttempts === 1) return;
  throw new GatewayError(
    'GW_ERR_VALIDATION',
    `Subscription would form a cycle of system events: its failed deliveries would be retried, each retry making another "${SystemEventType.DELIVERY_RETRIED}" event for it. Set retryPolicy.maxAttempts to 1.`,
  );
}
