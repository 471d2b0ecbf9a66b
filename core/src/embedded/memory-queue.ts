/**
 * `MemoryQueue`: the in-process `DeliveryQueue` — a pool of `workers` concurrent handler calls in front of a
 * bounded backlog, with retries on timers (a scheduled retry holds no worker) and, with `journalDir`, a journal
 * that makes every accepted delivery survive a crash or restart (see `journal.ts`).
 *
 * Capacity: a batch is accepted only if, with it, the queued and retry-scheduled deliveries stay within `backlog`
 * once idle workers have taken theirs; that is, `depth() + batch ≤ workers + backlog`. Otherwise the whole batch is
 * refused with `GW_ERR_QUEUE_FULL` (429, `Retry-After`). Deliveries whose id is already queued are accepted as
 * duplicates of it (the id is delivered once more at most, not twice).
 */
import { GatewayError } from '../errors.ts';
import { consoleLogger, type Logger } from '../logger.ts';
import type { Delivery, DeliveryHandler, DeliveryObserver, DeliveryOutcome, DeliveryQueue, RetryPolicy } from '../queue.ts';
import { DEFAULT_RETRY_POLICY, backoffDelay, mayRetry } from '../queue.ts';
import { DeliveryJournal, type JournalEntry } from './journal.ts';

export interface MemoryQueueOptions {
  /** Concurrent handler calls (the original's `--workers`, default 100). */
  readonly workers?: number;
  /** Deliveries that may wait beyond the workers (the original's `--workers-backlog`, default 200). */
  readonly backlog?: number;
  /** Journal accepted deliveries here, so a restart or crash loses none. */
  readonly journalDir?: string;
  /** fdatasync the journal before `enqueue` resolves (default true). */
  readonly fsync?: boolean;
  /** Journal size that triggers compaction (default 16 MiB). */
  readonly compactBytes?: number;
  /** Policy for deliveries without their own (default `DEFAULT_RETRY_POLICY`). */
  readonly retryPolicy?: RetryPolicy;
  /** Jitter source for `backoffDelay` (tests make it deterministic). */
  readonly random?: () => number;
  readonly logger?: Logger;
}

type FailedOutcome = DeliveryOutcome & { ok: false };

interface Item {
  readonly delivery: Delivery;
  timer?: NodeJS.Timeout | undefined;
  dueAt?: number | undefined;
}

const RETRY_AFTER = { 'Retry-After': '1' } as const;

/** In-process `DeliveryQueue`; see the module comment. */
export class MemoryQueue implements DeliveryQueue {
  readonly #workers: number;
  readonly #backlog: number;
  readonly #policy: RetryPolicy;
  readonly #random: () => number;
  readonly #logger: Logger;
  readonly #options: MemoryQueueOptions;
  /** Accepted and unfinished, in acceptance order. */
  readonly #live = new Map<string, Item>();
  #ready: Item[] = [];
  #head = 0;
  #inFlight = 0;
  #reserved = 0;
  #state: 'new' | 'running' | 'closing' | 'closed' = 'new';
  #handler: DeliveryHandler | undefined;
  #observer: DeliveryObserver = {};
  #journal: Promise<DeliveryJournal | undefined> | undefined;
  #openJournal: DeliveryJournal | undefined;
  #closing: Promise<void> | undefined;
  #drained: (() => void)[] = [];

  constructor(options: MemoryQueueOptions = {}) {
    this.#workers = positive(options.workers ?? 100, 'workers');
    this.#backlog = Math.max(0, Math.floor(options.backlog ?? 200));
    this.#policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.#random = options.random ?? Math.random;
    this.#logger = options.logger ?? consoleLogger({ component: 'delivery-queue' });
    this.#options = options;
  }

  /** Replay the journal (if any) and start the workers. */
  async start(handler: DeliveryHandler, observer: DeliveryObserver = {}): Promise<void> {
    if (this.#state !== 'new' || this.#handler !== undefined) throw new GatewayError('GW_ERR_ALREADY_STARTED', 'The delivery queue was already started.');
    this.#handler = handler;
    this.#observer = observer;
    await this.#open();
    if (this.#state !== 'new') return;
    this.#state = 'running';
    this.#pump();
  }

  async enqueue(deliveries: readonly Delivery[]): Promise<void> {
    this.#assertAccepting();
    if (this.#options.journalDir !== undefined) {
      try {
        await this.#open();
      } catch (err) {
        throw unavailable(`The delivery queue is unavailable: ${(err as Error).message}`, err);
      }
      this.#assertAccepting();
    }
    const seen = new Set<string>();
    const fresh = deliveries.filter((d) => !this.#live.has(d.id) && !seen.has(d.id) && seen.add(d.id)).map((d) => ({ ...d }));
    if (fresh.length === 0) return;
    const capacity = this.#workers + this.#backlog;
    if (this.#live.size + this.#reserved + fresh.length > capacity) {
      throw new GatewayError(
        'GW_ERR_QUEUE_FULL',
        `The delivery queue is full (${this.#live.size + this.#reserved} of ${capacity} deliveries pending); retry later.`,
        { headers: RETRY_AFTER },
      );
    }
    const journal = this.#openJournal;
    if (journal !== undefined) {
      this.#reserved += fresh.length;
      try {
        await journal.accept(fresh);
      } catch (err) {
        throw unavailable(`The delivery queue could not store the deliveries: ${(err as Error).message}`, err);
      } finally {
        this.#reserved -= fresh.length;
      }
    }
    for (const delivery of fresh) this.#add({ delivery });
    this.#pump();
  }

  depth(): number {
    return this.#live.size;
  }

  get defaultRetryPolicy(): RetryPolicy {
    return this.#policy;
  }

  /** Counts for metrics: waiting for a worker, waiting for a retry timer, being handled. */
  stats(): { queued: number; scheduled: number; inFlight: number } {
    const queued = this.#ready.length - this.#head;
    return { queued, scheduled: this.#live.size - queued - this.#inFlight, inFlight: this.#inFlight };
  }

  close(options: { readonly drain?: boolean; readonly timeoutMs?: number } = {}): Promise<void> {
    this.#closing ??= this.#close(options.drain ?? false, options.timeoutMs ?? 30_000);
    return this.#closing;
  }

  async #close(drain: boolean, timeoutMs: number): Promise<void> {
    const started = this.#state === 'running';
    this.#state = 'closing';
    if (drain && started && this.#live.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#drained.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    }
    this.#state = 'closed';
    for (const item of this.#live.values()) clearTimeout(item.timer);
    const left = { unfinished: this.#live.size, inFlight: this.#inFlight };
    const journal = await this.#journal?.catch(() => undefined);
    if (journal !== undefined) {
      await journal.close();
      if (left.unfinished > 0) this.#logger.info(left, `delivery queue closed; ${left.unfinished} unfinished deliveries stay journaled for the next start`);
    } else if (left.unfinished > 0) {
      this.#logger.error(left, `delivery queue closed with ${left.unfinished} unfinished deliveries; without a journal they are abandoned`);
    }
  }

  /** Open the journal once (no-op without `journalDir`) and take in what it recovered. */
  #open(): Promise<DeliveryJournal | undefined> {
    const dir = this.#options.journalDir;
    this.#journal ??= (async () => {
      if (dir === undefined) return undefined;
      const { journal, recovered } = await DeliveryJournal.open({
        dir,
        fsync: this.#options.fsync,
        compactBytes: this.#options.compactBytes,
        logger: this.#logger,
      });
      this.#openJournal = journal;
      if (recovered.length > 0) this.#logger.info({ deliveries: recovered.length }, 'resuming journaled deliveries');
      for (const entry of recovered) this.#add(entry);
      return journal;
    })();
    return this.#journal;
  }

  #add({ delivery, dueAt }: JournalEntry): void {
    const item: Item = { delivery };
    this.#live.set(delivery.id, item);
    if (dueAt !== undefined && dueAt > Date.now()) this.#schedule(item, dueAt - Date.now());
    else this.#ready.push(item);
  }

  #pump(): void {
    if (this.#state !== 'running' && this.#state !== 'closing') return;
    while (this.#inFlight < this.#workers && this.#head < this.#ready.length) {
      const item = this.#ready[this.#head]!;
      this.#head += 1;
      void this.#run(item);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#ready.length) {
      this.#ready = this.#ready.slice(this.#head);
      this.#head = 0;
    }
  }

  async #run(item: Item): Promise<void> {
    const { delivery } = item;
    this.#inFlight += 1;
    delivery.attempts += 1;
    this.#openJournal?.attempt(delivery);
    let outcome: DeliveryOutcome;
    try {
      outcome = checked(await this.#handler!(delivery));
    } catch (err) {
      outcome = { ok: false, retryable: true, reason: err instanceof Error ? err.message : String(err) };
    }
    this.#inFlight -= 1;
    if (this.#state !== 'closed') this.#settle(item, outcome);
    this.#pump();
    if (this.#live.size === 0) for (const resolve of this.#drained.splice(0)) resolve();
  }

  #settle(item: Item, outcome: DeliveryOutcome): void {
    const { delivery } = item;
    if (outcome.ok) {
      this.#finish(delivery, true);
      return;
    }
    const policy = delivery.retryPolicy ?? this.#policy;
    if (mayRetry(delivery, outcome, policy)) {
      const delayMs = backoffDelay(policy, delivery.attempts, outcome.retryAfterMs, this.#random);
      this.#schedule(item, delayMs);
      this.#openJournal?.retry(delivery.id, item.dueAt!);
      this.#observe('retrying', () => this.#observer.retrying?.(delivery, outcome, delayMs));
    } else {
      this.#finish(delivery, false);
      this.#observe('deadLettered', () => this.#observer.deadLettered?.(delivery, outcome));
    }
  }

  #schedule(item: Item, delayMs: number): void {
    item.dueAt = Date.now() + delayMs;
    item.timer = setTimeout(() => {
      item.timer = undefined;
      this.#ready.push(item);
      this.#pump();
    }, delayMs);
  }

  #finish(delivery: Delivery, ok: boolean): void {
    this.#live.delete(delivery.id);
    this.#openJournal?.finish(delivery.id, ok);
  }

  #observe(what: string, call: () => void): void {
    try {
      call();
    } catch (err) {
      this.#logger.error({ err }, `delivery observer ${what} threw`);
    }
  }

  #assertAccepting(): void {
    if (this.#state === 'closing' || this.#state === 'closed') throw unavailable('The delivery queue is shutting down; retry later.');
  }
}

function unavailable(message: string, cause?: unknown): GatewayError {
  return new GatewayError('GW_ERR_QUEUE_UNAVAILABLE', message, { headers: RETRY_AFTER, ...(cause === undefined ? {} : { cause }) });
}

/** A handler's result, or a retryable failure when it is not a `DeliveryOutcome`. */
function checked(outcome: unknown): DeliveryOutcome {
  if (typeof outcome === 'object' && outcome !== null && 'ok' in outcome) {
    if (outcome.ok === true) return outcome as DeliveryOutcome;
    if (outcome.ok === false && 'retryable' in outcome && typeof outcome.retryable === 'boolean') return outcome as FailedOutcome;
  }
  return { ok: false, retryable: true, reason: 'the delivery handler returned no outcome' };
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 1) throw new RangeError(`MemoryQueue: ${name} must be at least 1, got ${value}`);
  return Math.floor(value);
}
