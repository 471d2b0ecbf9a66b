/**
 * Calling functions: one place for both paths. Resolves the provider with `hooks.invoke.get` (never `for`, which
 * would create an empty hook for a typo), publishes `function.invoking` / `invoked` / `invocationFailed`
 * (not for deliveries of system events), and decides what counts as failure.
 */
import type { Invocation, InvokeResult } from './context.ts';
import { FUNCTION_CALL_FAILED, GatewayError, isGatewayError } from './errors.ts';
import { isSystemEventType, SystemEventType } from './event.ts';
import { wireEvent } from './encode.ts';
import type { GatewayHooks } from './hooks.ts';
import type { Logger } from './logger.ts';
import type { Delivery, DeliveryOutcome } from './queue.ts';
import type { RoutingTable } from './routing/table.ts';
import type { SystemEvents } from './system-events.ts';

export interface InvokerDeps {
  readonly hooks: GatewayHooks;
  readonly table: RoutingTable;
  readonly systemEvents: SystemEvents;
  readonly logger: Logger;
}

/** A reply with a 5xx status is a failed call (the original counted 500; every 5xx is a failure here). */
export function isFailedReply(status: number): boolean {
  return status >= 500;
}

export class Invoker {
  readonly #deps: InvokerDeps;

  constructor(deps: InvokerDeps) {
    this.#deps = deps;
  }

  /**
   * Call the function of an invocation. Resolves with the reply; rejects with a `GatewayError` when there is no
   * reply or the reply is a failure (status ≥ 500, kept on `cause`).
   */
  async call(invocation: Invocation): Promise<InvokeResult> {
    const { hooks, systemEvents } = this.#deps;
    const { space, function: fn } = invocation;
    const hook = hooks.invoke.get(fn.type);
    const observed = invocation.payload === undefined && !isSystemEventType(invocation.event.type);
    const about = invocation.event;
    // Data is built lazily: only when something listens to these events (see SystemEvents.publish).
    if (observed) systemEvents.publish(space, SystemEventType.FUNCTION_INVOKING, () => ({ space, functionId: fn.functionId, event: wireEvent(invocation.event, invocation.specVersion) }), about);
    let result: InvokeResult | undefined;
    try {
      if (hook === undefined || hook.taps.length === 0) {
        throw new GatewayError('GW_ERR_NO_PROVIDER', `No provider is installed for function type "${fn.type}"`);
      }
      result = await hook.promise(invocation);
      if (result === undefined) throw new GatewayError('GW_ERR_NO_PROVIDER', `No provider answered for function type "${fn.type}"`);
      if (isFailedReply(result.status)) {
        throw new GatewayError('GW_ERR_FUNCTION_FAILED', `Function "${fn.functionId}" replied with status ${result.status}`, { cause: result });
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (observed) {
        systemEvents.publish(space, SystemEventType.FUNCTION_INVOCATION_FAILED, () => ({ space, functionId: fn.functionId, event: wireEvent(invocation.event, invocation.specVersion), error: { message } }), about);
      }
      throw err;
    }
    const reply = result;
    if (observed) {
      systemEvents.publish(space, SystemEventType.FUNCTION_INVOKED, () => ({ space, functionId: fn.functionId, event: wireEvent(invocation.event, invocation.specVersion), result: replyValue(reply) }), about);
    }
    return result;
  }

  /** The queue's handler: one attempt of one async delivery. */
  deliver = async (delivery: Delivery): Promise<DeliveryOutcome> => {
    const { table, logger } = this.#deps;
    const fn = table.function(delivery.space, delivery.functionId);
    if (!fn) return { ok: false, retryable: false, reason: `Function "${delivery.functionId}" not found.` };
    const subscription = table.subscription(delivery.space, delivery.subscriptionId);
    const invocation: Invocation = {
      space: delivery.space,
      function: fn,
      mode: 'async',
      event: delivery.event,
      specVersion: delivery.specVersion,
      ...(subscription ? { subscription } : {}),
    };
    try {
      const result = await this.call(invocation);
      if (result.status < 400) return { ok: true };
      // 4xx: the function refused the event; only 408 and 429 are worth another try.
      const retryable = result.status === 408 || result.status === 429;
      return { ok: false, retryable, status: result.status, reason: `Function replied with status ${result.status}`, ...retryAfter(result) };
    } catch (err) {
      const reply = isGatewayError(err) && isReply(err.cause) ? err.cause : undefined;
      logger.debug({ err, deliveryId: delivery.id, attempt: delivery.attempts }, 'delivery attempt failed');
      return {
        ok: false,
        retryable: true,
        reason: err instanceof Error ? err.message : FUNCTION_CALL_FAILED,
        ...(reply ? { status: reply.status, ...retryAfter(reply) } : {}),
      };
    }
  };
}

/** A reply body for system events: parsed JSON when it is JSON, otherwise text. */
function replyValue(result: InvokeResult): unknown {
  const text = result.body.toString('utf8');
  if (/json/i.test(result.headers['content-type'] ?? '')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function isReply(value: unknown): value is InvokeResult {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value;
}

/** `Retry-After` in seconds or as an HTTP date. */
function retryAfter(result: InvokeResult): { retryAfterMs?: number } {
  const header = result.headers['retry-after'];
  if (header === undefined) return {};
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? { retryAfterMs: ms } : {};
}
