/**
 * Dead letters: async deliveries that exhausted their retry policy or failed in a way not worth retrying. Each is
 * kept in the `ConfigStore` under kind `deadletters` (so it persists with `--data-dir` and is shared in cluster
 * mode), keyed by its delivery id, with the reason, the attempts made, the last status or error and the event as it
 * was delivered. The Config API lists, reads, deletes and redrives them (`config/dead-letter-routes.ts`).
 *
 * Recording is called from the queue's `deadLettered` observer and never throws into the queue: a store failure is
 * logged as an error (the delivery is then lost, as it would be without a dead-letter store).
 */
import type { Invocation } from './context.ts';
import { wireEvent } from './encode.ts';
import { GatewayError } from './errors.ts';
import type { CloudEvent, SpecVersion } from './event.ts';
import type { Logger } from './logger.ts';
import type { Delivery, DeliveryOutcome } from './queue.ts';
import type { FunctionConfig, Subscription } from './resources.ts';
import type { ConfigStore } from './store.ts';

/** The store kind of dead letters. */
export const DEAD_LETTER_KIND = 'deadletters';

/** A dead letter as stored: the event in the gateway's internal form. */
export interface DeadLetterRecord {
  space: string;
  deadLetterId: string;
  subscriptionId: string;
  functionId: string;
  eventType: string;
  reason: string;
  attempts: number;
  /** The function's last HTTP status, when it replied. */
  status?: number;
  /** The last error, when the function gave no reply (connection refused, timeout, no provider…). */
  error?: string;
  /** When the delivery was first accepted (ISO 8601). */
  acceptedAt: string;
  deadLetteredAt: string;
  specVersion: SpecVersion;
  event: CloudEvent;
}

/** A dead letter as the Config API shows it: the event as the function got it (a 0.1 event in 0.1 form). */
export type DeadLetter = Omit<DeadLetterRecord, 'event'> & { event: unknown };

export interface RedriveResult {
  readonly deadLetterId: string;
  /** The id of the new delivery. */
  readonly deliveryId: string;
}

/** What the Config API needs. */
export interface DeadLetterApi {
  list(space: string, filter?: { readonly subscriptionId?: string }): Promise<DeadLetter[]>;
  get(space: string, id: string): Promise<DeadLetter>;
  remove(space: string, id: string): Promise<void>;
  redrive(space: string, id: string): Promise<RedriveResult>;
}

export interface DeadLettersDeps {
  readonly store: ConfigStore;
  /** Enqueue through the gateway (so the `delivery` hook sees it). */
  readonly enqueue: (deliveries: readonly Delivery[]) => Promise<void>;
  readonly logger: Logger;
  /** A fresh delivery (new id, no attempts, the subscription's policy), as the pipeline makes them. */
  readonly newDelivery: (invocation: Invocation) => Delivery;
}

export class DeadLetters implements DeadLetterApi {
  readonly #deps: DeadLettersDeps;
  readonly #pending = new Set<Promise<void>>();

  constructor(deps: DeadLettersDeps) {
    this.#deps = deps;
  }

  /** Keep a dead-lettered delivery. Never throws or rejects; see `flush`. */
  record(delivery: Delivery, outcome: DeliveryOutcome & { ok: false }, now = Date.now()): void {
    const record: DeadLetterRecord = {
      space: delivery.space,
      deadLetterId: delivery.id,
      subscriptionId: delivery.subscriptionId,
      functionId: delivery.functionId,
      eventType: delivery.event.type,
      reason: outcome.reason,
      attempts: delivery.attempts,
      ...(outcome.status === undefined ? { error: outcome.reason } : { status: outcome.status }),
      acceptedAt: new Date(delivery.acceptedAt).toISOString(),
      deadLetteredAt: new Date(now).toISOString(),
      specVersion: delivery.specVersion,
      event: delivery.event,
    };
    const write = this.#write(record).finally(() => this.#pending.delete(write));
    this.#pending.add(write);
  }

  /** Wait for the dead letters being written (before the store closes). */
  async flush(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  async #write(record: DeadLetterRecord): Promise<void> {
    const { store, logger } = this.#deps;
    try {
      const created = await store.create(DEAD_LETTER_KIND, record.space, record.deadLetterId, record);
      if (created === undefined) await store.update(DEAD_LETTER_KIND, record.space, record.deadLetterId, record);
    } catch (err) {
      logger.error(
        { err, deadLetterId: record.deadLetterId, space: record.space, subscriptionId: record.subscriptionId, reason: record.reason },
        'DEAD LETTER LOST: the dead-lettered delivery could not be stored',
      );
    }
  }

  /** The space's dead letters, oldest first (by `deadLetteredAt`, then id). */
  async list(space: string, filter: { readonly subscriptionId?: string } = {}): Promise<DeadLetter[]> {
    const entries = await this.#store(() => this.#deps.store.list<DeadLetterRecord>(DEAD_LETTER_KIND, space));
    return entries
      .map((e) => e.value)
      .filter((r) => filter.subscriptionId === undefined || r.subscriptionId === filter.subscriptionId)
      .sort((a, b) => compare(a.deadLetteredAt, b.deadLetteredAt) || compare(a.deadLetterId, b.deadLetterId))
      .map(present);
  }

  async get(space: string, id: string): Promise<DeadLetter> {
    return present(await this.#record(space, id));
  }

  async remove(space: string, id: string): Promise<void> {
    if (!(await this.#store(() => this.#deps.store.delete(DEAD_LETTER_KIND, space, id)))) throw notFound(id);
  }

  /**
   * Deliver the event again: a fresh delivery (new id, no attempts, the subscription's current policy) to the same
   * subscription and function, through the queue (429/503 when it refuses). The dead letter is removed only once
   * the queue has accepted the delivery. 400 when the subscription or function no longer exists.
   */
  async redrive(space: string, id: string): Promise<RedriveResult> {
    const { store, newDelivery, logger } = this.#deps;
    const record = await this.#record(space, id);
    const subscription = (await this.#store(() => store.get<Subscription>('subscriptions', space, record.subscriptionId)))?.value;
    if (subscription === undefined) {
      throw new GatewayError('GW_ERR_VALIDATION', `Dead letter "${id}" cannot be redriven: subscription "${record.subscriptionId}" no longer exists.`);
    }
    const fn = (await this.#store(() => store.get<FunctionConfig>('functions', space, record.functionId)))?.value;
    if (fn === undefined) {
      throw new GatewayError('GW_ERR_VALIDATION', `Dead letter "${id}" cannot be redriven: function "${record.functionId}" no longer exists.`);
    }
    const delivery = newDelivery({ space, function: fn, subscription, mode: 'async', event: record.event, specVersion: record.specVersion });
    await this.#deps.enqueue([delivery]);
    try {
      await store.delete(DEAD_LETTER_KIND, space, id);
    } catch (err) {
      logger.error({ err, deadLetterId: id, deliveryId: delivery.id }, 'dead letter redriven but not removed; it may be redriven twice');
    }
    logger.info({ deadLetterId: id, deliveryId: delivery.id, space }, 'dead letter redriven');
    return { deadLetterId: id, deliveryId: delivery.id };
  }

  async #record(space: string, id: string): Promise<DeadLetterRecord> {
    const entry = await this.#store(() => this.#deps.store.get<DeadLetterRecord>(DEAD_LETTER_KIND, space, id));
    if (entry === undefined) throw notFound(id);
    return entry.value;
  }

  async #store<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      throw new GatewayError('GW_ERR_STORE', `Config store error: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}

function present(record: DeadLetterRecord): DeadLetter {
  return { ...record, event: wireEvent(record.event, record.specVersion) };
}

function notFound(id: string): GatewayError {
  return new GatewayError('GW_ERR_NOT_FOUND', `Dead letter "${id}" not found.`);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
