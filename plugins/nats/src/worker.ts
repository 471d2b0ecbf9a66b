/** One delivery attempt from a JetStream message: call the handler, then ack, retry (`nak` with delay) or dead-letter. */
import type { JsMsg } from '@nats-io/jetstream';
import { backoffDelay, mayRetry } from '@switchyard/core';
import type { Delivery, DeliveryHandler, DeliveryObserver, DeliveryOutcome, Logger, RetryPolicy } from '@switchyard/core';

export interface AttemptContext {
  readonly handler: DeliveryHandler;
  readonly observer: DeliveryObserver;
  readonly policy: RetryPolicy;
  readonly ackWaitMs: number;
  readonly logger: Logger;
  /** Told when a delivery leaves the queue (around the ack). */
  readonly gauge: { begin(): void; end(n: number): void };
  /** Acks go to nats.js once per event-loop turn, with the other acks and publishes of the turn. */
  readonly turn: { run(fn: () => void): void };
  /** True once `close` gave the message back: the outcome no longer matters. */
  abandoned(): boolean;
}

/** Run one attempt and settle the message: ack (delivered or dead-lettered) or nak with a delay (retry). */
export async function runDelivery(msg: JsMsg, ctx: AttemptContext): Promise<void> {
  let delivery: Delivery;
  try {
    delivery = { ...msg.json<Delivery>(), attempts: msg.info.deliveryCount };
  } catch (err) {
    ctx.logger.error({ err, seq: msg.seq }, 'unreadable delivery message removed from the queue');
    ctx.gauge.begin();
    msg.term('unreadable');
    ctx.gauge.end(-1);
    return;
  }
  const keepAlive = setInterval(() => msg.working(), Math.max(500, Math.floor(ctx.ackWaitMs / 3)));
  keepAlive.unref();
  let outcome: DeliveryOutcome;
  try {
    outcome = await ctx.handler(delivery);
  } catch (err) {
    outcome = { ok: false, retryable: true, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    clearInterval(keepAlive);
  }
  if (ctx.abandoned()) return;
  if (outcome.ok) return confirm(msg, ctx);
  const policy = delivery.retryPolicy ?? ctx.policy;
  if (mayRetry(delivery, outcome, policy)) {
    const delayMs = backoffDelay(policy, delivery.attempts, outcome.retryAfterMs);
    msg.nak(delayMs);
    notify(ctx, () => ctx.observer.retrying?.(delivery, outcome, delayMs));
    return;
  }
  notify(ctx, () => ctx.observer.deadLettered?.(delivery, outcome));
  return confirm(msg, ctx);
}

/**
 * Ack a settled delivery (delivered, or dead-lettered). The ack is not confirmed by the server: a lost ack (the
 * connection drops before it is written) makes JetStream redeliver after `ack_wait`, which at-least-once allows;
 * a confirmed ack (`ackAck`) would cost a request–reply round trip per delivery for no stronger guarantee.
 */
function confirm(msg: JsMsg, ctx: AttemptContext): void {
  ctx.gauge.begin();
  ctx.turn.run(() => {
    try {
      msg.ack();
      ctx.gauge.end(-1);
    } catch (err) {
      ctx.gauge.end(0);
      ctx.logger.warn({ err, seq: msg.seq }, 'JetStream ack could not be sent; the delivery will be redelivered');
    }
  });
}

function notify(ctx: AttemptContext, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    ctx.logger.error({ err }, 'a delivery observer threw');
  }
}
