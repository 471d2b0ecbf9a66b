/**
 * `NatsQueue`: the `DeliveryQueue` on JetStream. Each delivery is one message on `<prefix>.deliveries.<space>`
 * (space in base64url) of a work-queue stream, with `Nats-Msg-Id` = delivery id (duplicates within the window are
 * stored once). `enqueue` resolves once JetStream acknowledged every message. One durable pull consumer is shared
 * by all gateways; each gateway keeps pull requests open for its free workers only (in batches), so no gateway
 * hoards work. Attempts are the JetStream delivery count, so they survive crashes; retries are `nak(delay)`; dead
 * letters and successes are acknowledged and so leave the stream. Publishes and acks of one event-loop turn leave in
 * one socket write (`TurnBatch`).
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, JetStreamClient, JetStreamManager, JsMsg, PubAck } from '@nats-io/jetstream';
import { DEFAULT_RETRY_POLICY, DEFAULT_SUBJECT_PREFIX, GatewayError } from '@switchyard/core';
import type { Delivery, DeliveryHandler, DeliveryObserver, DeliveryQueue, RetryPolicy } from '@switchyard/core';
import type { NatsLink } from './connection.ts';
import { consumerDepth, ensureLayout } from './jetstream.ts';
import { TurnBatch } from './turn.ts';
import type { QueueLayout } from './jetstream.ts';
import { DepthGauge } from './depth.ts';
import { runDelivery } from './worker.ts';

export const DEFAULT_STREAM = 'SWITCHYARD_DELIVERIES';

export interface NatsQueueOptions {
  readonly link: NatsLink;
  /** Stream name. Default `SWITCHYARD_DELIVERIES`. */
  readonly stream?: string;
  /** Durable consumer name. Default `switchyard`. */
  readonly consumer?: string;
  /** Subject prefix; deliveries go to `<prefix>.deliveries.>`. Default `eventgateway`. */
  readonly subjectPrefix?: string;
  /** Stream replicas when the stream is created. Default 1. */
  readonly replicas?: number;
  /** Concurrent handler calls in this gateway. Default 100. */
  readonly workers?: number;
  /** Deliveries that may wait beyond the workers; see `enqueue`. Default 200. */
  readonly backlog?: number;
  readonly retryPolicy?: RetryPolicy;
  /** Redelivery after a gateway vanished without a word. `working()` keeps long calls alive. Default 60 000. */
  readonly ackWaitMs?: number;
  /** Consumer `max_ack_pending` (cluster-wide in flight + waiting to be retried). Default 10 000. */
  readonly maxAckPending?: number;
  /** How long one pull waits on the server (≥ 1 000). Bounds how long `close` waits for pulls. Default 1 000. */
  readonly pullExpiresMs?: number;
  /** How often cluster-wide depth is refreshed from consumer info. Default 250. */
  readonly depthRefreshMs?: number;
}

interface Ready {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
}

const RETRY_AFTER = { 'Retry-After': '1' } as const;

function unavailable(message: string, cause?: unknown): GatewayError {
  return new GatewayError('GW_ERR_QUEUE_UNAVAILABLE', message, { headers: RETRY_AFTER, ...(cause === undefined ? {} : { cause }) });
}

export class NatsQueue implements DeliveryQueue {
  readonly layout: QueueLayout;
  readonly #link: NatsLink;
  readonly #workers: number;
  readonly #backlog: number;
  readonly #policy: RetryPolicy;
  readonly #pullExpiresMs: number;
  readonly #depth: DepthGauge;
  /** Publishes and acks go to nats.js once per event-loop turn (see `TurnBatch`). */
  readonly #turn = new TurnBatch();
  #ready: Promise<Ready> | undefined;
  /** Set by `close`: refuse new deliveries (consuming goes on while draining). */
  #draining = false;
  /** Stop pulling. */
  #closing = false;
  #reserved = 0;
  /** Messages being handled here (received, not settled). */
  readonly #inFlight = new Map<JsMsg, { abandoned: boolean }>();
  /** Messages asked for by open pull requests and not received yet. in flight + requested ≤ workers. */
  #requested = 0;
  readonly #pulls = new Set<{ stop(): void }>();
  #consuming = false;
  /** Wakes the pump: a worker or a pull request finished. */
  #wake: (() => void) | undefined;

  constructor(options: NatsQueueOptions) {
    this.#link = options.link;
    this.#workers = Math.max(1, Math.floor(options.workers ?? 100));
    this.#backlog = Math.max(0, Math.floor(options.backlog ?? 200));
    this.#policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.#pullExpiresMs = Math.max(1_000, options.pullExpiresMs ?? 1_000);
    const prefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
    this.layout = {
      stream: options.stream ?? DEFAULT_STREAM,
      subject: `${prefix}.deliveries`,
      consumer: options.consumer ?? 'switchyard',
      replicas: options.replicas ?? 1,
      ackWaitMs: options.ackWaitMs ?? 60_000,
      maxAckPending: options.maxAckPending ?? 10_000,
      duplicateWindowMs: 120_000,
    };
    this.#depth = new DepthGauge(async () => consumerDepth((await this.#connect()).jsm, this.layout), options.depthRefreshMs ?? 250);
  }

  async start(handler: DeliveryHandler, observer: DeliveryObserver = {}): Promise<void> {
    if (this.#draining) throw unavailable('the delivery queue is closed');
    const { js } = await this.#connect();
    const consumer = await js.consumers.get(this.layout.stream, this.layout.consumer);
    if (this.#consuming) return;
    this.#consuming = true;
    void this.#pump(consumer, handler, observer);
  }

  async enqueue(deliveries: readonly Delivery[]): Promise<void> {
    if (this.#draining) throw unavailable('the delivery queue is closing');
    if (deliveries.length === 0) return;
    let ready: Ready;
    try {
      ready = await this.#connect();
    } catch (err) {
      throw unavailable('NATS JetStream is unavailable', err);
    }
    if (this.#draining) throw unavailable('the delivery queue is closing');
    if (this.#depth.value + this.#reserved + deliveries.length > this.#workers + this.#backlog) {
      throw new GatewayError('GW_ERR_QUEUE_FULL', 'the delivery queue is full; retry later', { headers: RETRY_AFTER });
    }
    this.#reserved += deliveries.length;
    this.#depth.begin();
    let added = 0;
    try {
      const results = await Promise.allSettled(deliveries.map((d) => this.#publish(ready.js, d)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      const stored = results.filter((r): r is PromiseFulfilledResult<PubAck> => r.status === 'fulfilled').map((r) => r.value);
      if (failed !== undefined) {
        // None of the batch may count as accepted: take back what was stored (best effort; a worker may have
        // pulled one already, which at-least-once allows).
        await Promise.allSettled(stored.filter((a) => !a.duplicate).map((a) => ready.jsm.streams.deleteMessage(this.layout.stream, a.seq, false)));
        throw unavailable('NATS JetStream did not store the deliveries', failed.reason);
      }
      added = stored.filter((a) => !a.duplicate).length;
    } finally {
      this.#reserved -= deliveries.length;
      this.#depth.end(added);
    }
  }

  /** The policy of deliveries without their own. */
  get defaultRetryPolicy(): RetryPolicy {
    return this.#policy;
  }

  depth(): number {
    return this.#depth.value;
  }

  async close(options: { readonly drain?: boolean; readonly timeoutMs?: number } = {}): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    const ready = this.#ready;
    if (ready === undefined) {
      this.#closing = true;
      return;
    }
    if (options.drain === true) {
      const deadline = Date.now() + (options.timeoutMs ?? 30_000);
      const busy = (): boolean => this.#inFlight.size > 0 || (this.#consuming && this.#depth.value > 0);
      while (Date.now() < deadline && busy()) await sleep(10);
    }
    this.#closing = true;
    this.#signal();
    // Stop pulling; what is in flight now is given back at once for another gateway (or the next start).
    for (const [msg, state] of this.#inFlight) {
      state.abandoned = true;
      msg.nak();
    }
    // Cancel pending pulls: the server drops a pull request whose reply subject lost interest.
    for (const pull of this.#pulls) pull.stop();
    this.#pulls.clear();
    this.#depth.stop();
    const handles = await ready.catch(() => undefined);
    if (handles !== undefined) await this.#link.release();
  }

  #connect(): Promise<Ready> {
    if (this.#ready === undefined) {
      const ready = (async () => {
        const { js, jsm } = await this.#link.acquire();
        try {
          await ensureLayout(jsm, this.layout);
        } catch (err) {
          await this.#link.release();
          throw err;
        }
        return { js, jsm };
      })();
      this.#ready = ready;
      ready.then(() => this.#depth.start(), () => {
        if (this.#ready === ready) this.#ready = undefined;
      });
    }
    return this.#ready;
  }

  /** Published with the other deliveries accepted in this turn of the event loop: one socket write for all. */
  #publish(js: JetStreamClient, d: Delivery): Promise<PubAck> {
    const subject = `${this.layout.subject}.${Buffer.from(d.space || '=', 'utf8').toString('base64url')}`;
    const body = JSON.stringify({ ...d, attempts: 0 });
    const options = { msgID: d.id || randomUUID(), expect: { streamName: this.layout.stream } };
    return new Promise<PubAck>((resolve, reject) => {
      this.#turn.run(() => {
        js.publish(subject, body, options).then(resolve, reject);
      });
    });
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /**
   * Keeps pull requests open for the free workers: a new one (for all of them) when at least a quarter of the
   * workers are free, or when none is open. A busy gateway so pulls in batches, an idle one waits on one long-poll
   * for every worker, and a gateway never holds more messages than it has workers.
   */
  async #pump(consumer: Consumer, handler: DeliveryHandler, observer: DeliveryObserver): Promise<void> {
    const batch = Math.max(1, Math.floor(this.#workers / 4));
    while (!this.#closing) {
      const free = this.#workers - this.#inFlight.size - this.#requested;
      if (free > 0 && (free >= batch || this.#requested === 0)) {
        this.#requested += free;
        void this.#pull(consumer, free, handler, observer);
        continue;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** One pull request for up to `n` messages (long-poll `pullExpiresMs`); each received message starts at once. */
  async #pull(consumer: Consumer, n: number, handler: DeliveryHandler, observer: DeliveryObserver): Promise<void> {
    let received = 0;
    try {
      const iter = await consumer.fetch({ max_messages: n, expires: this.#pullExpiresMs });
      if (this.#closing) {
        iter.stop();
        return;
      }
      this.#pulls.add(iter);
      try {
        for await (const msg of iter) {
          if (received < n) {
            received += 1;
            this.#requested -= 1;
          }
          this.#dispatch(msg, handler, observer);
        }
      } finally {
        this.#pulls.delete(iter);
      }
    } catch (err) {
      if (!this.#closing) {
        this.#link.logger.warn({ err }, 'JetStream pull failed; retrying');
        await sleep(500);
      }
    } finally {
      this.#requested -= n - received;
      this.#signal();
    }
  }

  #dispatch(msg: JsMsg, handler: DeliveryHandler, observer: DeliveryObserver): void {
    if (this.#closing) {
      msg.nak();
      return;
    }
    const state = { abandoned: false };
    this.#inFlight.set(msg, state);
    runDelivery(msg, { handler, observer, policy: this.#policy, ackWaitMs: this.layout.ackWaitMs, logger: this.#link.logger, gauge: this.#depth, turn: this.#turn, abandoned: () => state.abandoned })
      .catch((err: unknown) => this.#link.logger.error({ err, seq: msg.seq }, 'settling a delivery failed; JetStream redelivers it after ack_wait'))
      .finally(() => {
        this.#inFlight.delete(msg);
        this.#signal();
      });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
