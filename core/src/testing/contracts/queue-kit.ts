/** Types and helpers shared by the `DeliveryQueue` contract files; exported for implementations' own tests. */
import type { Delivery, DeliveryHandler, DeliveryObserver, DeliveryOutcome, DeliveryQueue, RetryPolicy } from '../../queue.ts';

/** Options the contract asks a queue for. */
export interface DeliveryQueueOptions {
  readonly workers: number;
  readonly backlog: number;
  readonly retryPolicy: RetryPolicy;
}

/** What a `deliveryQueueContract` factory returns: a queue not yet started. */
export interface DeliveryQueueHarness {
  readonly queue: DeliveryQueue;
  /** A new queue over the same durable state (not yet started); given by durable implementations. */
  readonly reopen?: () => Promise<DeliveryQueue>;
  /** Called after the contract closed the queues. */
  cleanup(): Promise<void>;
}

export type DeliveryQueueFactory = (options: DeliveryQueueOptions) => Promise<DeliveryQueueHarness>;

/** One handler call as a test saw it (the delivery object itself changes between attempts). */
export interface Call {
  readonly id: string;
  readonly attempts: number;
  readonly at: number;
}

/** What each contract test gets. */
export interface QueueTestContext {
  readonly queue: DeliveryQueue;
  readonly harness: DeliveryQueueHarness;
  /** Close this queue at the end of the test (reopened queues). */
  readonly track: (queue: DeliveryQueue) => DeliveryQueue;
}

export type QueueTest = (title: string, options: Partial<DeliveryQueueOptions>, fn: (ctx: QueueTestContext) => Promise<void>) => void;

/** A fast policy for tests. */
export const CONTRACT_RETRY_POLICY: RetryPolicy = Object.freeze({ maxAttempts: 3, minBackoffMs: 20, maxBackoffMs: 100, maxAgeMs: 60_000 });

/** A handler that records calls and answers with `answer` (default: success). */
export function recorder(answer: (d: Delivery) => DeliveryOutcome | Promise<DeliveryOutcome> = () => ({ ok: true })): { calls: Call[]; handler: DeliveryHandler } {
  const calls: Call[] = [];
  return { calls, handler: async (d) => (calls.push({ id: d.id, attempts: d.attempts, at: performance.now() }), answer(d)) };
}

/** An observer that records what it is told. */
export function watcher(): Required<DeliveryObserver> & { retried: { id: string; delayMs: number; reason: string }[]; dead: { id: string; attempts: number; reason: string }[] } {
  const retried: { id: string; delayMs: number; reason: string }[] = [];
  const dead: { id: string; attempts: number; reason: string }[] = [];
  return {
    retried,
    dead,
    retrying: (d, outcome, delayMs) => retried.push({ id: d.id, delayMs, reason: outcome.reason }),
    deadLettered: (d, outcome) => dead.push({ id: d.id, attempts: d.attempts, reason: outcome.reason }),
  };
}

