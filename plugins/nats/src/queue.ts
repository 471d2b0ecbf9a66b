/**
 * `NatsQueue`: the `DeliveryQueue` on JetStream. Each delivery is one message on `<prefix>.deliveries.<space>`
 * (space in base64url) of a work-queue stream, with `Nats-Msg-Id` = delivery id (duplicates within the window are
 * stored once). `enqueue` resolves once JetStream acknowledged every message. One durable pull consumer is shared
 * by all gateways; each gateway pulls one message per free worker, so no gateway hoards work. Attempts are the
 * JetStream delivery count, so they survive crashes; retries are `nak(delay)`; dead letters and successes are
 * acknowledged (`ackAck`, confirmed by the server) and so leave the stream.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, JetStreamClient, JetStreamManager, JsMsg, PubAck } from '@nats-io/jetstream';
import { DEFAULT_RETRY_POLICY, DEFAULT_SUBJECT_PREFIX, GatewayError } from '@switchyard/core';
import type { Delivery, DeliveryHandler, DeliveryObserver, DeliveryQueue, RetryPolicy } from '@switchyard/core';
import type { NatsLink } from './connection.ts';
import { consumerDepth, ensureLayout } from './jetstream.ts';
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
  #ready: Promise<Ready> | undefined;
  /** Set by `close`: refuse new deliveries (consuming goes on while draining). */
  #draining = false;
  /** Stop pulling. */
  #closing = false;
  #reserved = 0;
  readonly #inFlight = new Map<JsMsg, { abandoned: boolean }>();
  readonly #pulls = new Set<{ stop(): void }>();
  readonly #loops: Promise<void>[] = [];

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
    for (let i = 0; i < this.#workers; i++) this.#loops.push(this.#loop(consumer, handler, observer));
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
      const busy = (): boolean => this.#inFlight.size > 0 || (this.#loops.length > 0 && this.#depth.value > 0);
      while (Date.now() < deadline && busy()) await sleep(10);
    }
    this.#closing = true;
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

  #publish(js: JetStreamClient, d: Delivery): Promise<PubAck> {
    const subject = `${this.layout.subject}.${Buffer.from(d.space || '=', 'utf8').toString('base64url')}`;
    return js.publish(subject, JSON.stringify({ ...d, attempts: 0 }), { msgID: d.id || randomUUID(), expect: { streamName: this.layout.stream } });
  }

  /** One message, or `null` when the pull expired or was cancelled by `close`. */
  async #next(consumer: Consumer): Promise<JsMsg | null> {
    const iter = await consumer.fetch({ max_messages: 1, expires: this.#pullExpiresMs });
    if (this.#closing) {
      iter.stop();
      return null;
    }
    this.#pulls.add(iter);
    try {
      for await (const m of iter) return m;
      return null;
    } finally {
      this.#pulls.delete(iter);
    }
  }

  async #loop(consumer: Consumer, handler: DeliveryHandler, observer: DeliveryObserver): Promise<void> {
    while (!this.#closing) {
      let msg: JsMsg | null;
      try {
        msg = await this.#next(consumer);
      } catch (err) {
        if (this.#closing) return;
        this.#link.logger.warn({ err }, 'JetStream pull failed; retrying');
        await sleep(500);
        continue;
      }
      if (msg === null) continue;
      if (this.#closing) {
        msg.nak();
        return;
      }
      const state = { abandoned: false };
      this.#inFlight.set(msg, state);
      try {
        await runDelivery(msg, { handler, observer, policy: this.#policy, ackWaitMs: this.layout.ackWaitMs, logger: this.#link.logger, gauge: this.#depth, abandoned: () => state.abandoned });
      } finally {
        this.#inFlight.delete(msg);
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
