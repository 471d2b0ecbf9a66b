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
  /** Told when a delivery leaves the queue (around the confirmed ack). */
  readonly gauge: { begin(): void; end(n: number): void };
  /** True once `close` gave the message back: the outcome no longer matters. */
  abandoned(): boolean;
}

type Failure = DeliveryOutcome & { ok: false };

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
    notify(ctx, () => ctx.observer.retrying?.(delivery, outcome as Failure, delayMs));
    return;
  }
  notify(ctx, () => ctx.observer.deadLettered?.(delivery, outcome as Failure));
  return confirm(msg, ctx);
}

async function confirm(msg: JsMsg, ctx: AttemptContext): Promise<void> {
  ctx.gauge.begin();
  let acked = false;
  try {
    acked = await msg.ackAck();
  } catch (err) {
    // The ack may be lost: JetStream redelivers after ack_wait (at-least-once).
    ctx.logger.warn({ err, seq: msg.seq }, 'JetStream did not confirm an ack; the delivery may be redelivered');
  } finally {
    ctx.gauge.end(acked ? -1 : 0);
  }
}

function notify(ctx: AttemptContext, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    ctx.logger.error({ err }, 'a delivery observer threw');
  }
}
