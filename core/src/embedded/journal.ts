/**
 * The delivery journal of `MemoryQueue` (`--data-dir`): JSON lines in `DIR/deliveries.jsonl`.
 *
 * Records: `{"t":"h","v":1}` header; `{"t":"e","n"?,"due"?,"d":<delivery>}` accepted (`n` attempts made and `due` a
 * pending retry's epoch ms, both written by compaction); `{"t":"a","id","n"}` attempt
 * `n` started; `{"t":"r","id","due"}` retry scheduled for epoch ms `due`; `{"t":"c","id","ok"}` finished
 * (delivered or dead-lettered). Replaying them in order yields the unfinished deliveries.
 *
 * Appends are group-committed: everything appended while a write is pending goes out in one write, followed by
 * one fdatasync when the batch holds accepted deliveries (attempt, retry and completion records ride along; losing
 * one to a power cut only means a redelivery). On open, and when the file outgrows `compactBytes` and twice its
 * live size, the live deliveries are rewritten atomically (temporary file, fsync, rename).
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewayError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Delivery } from '../queue.ts';
import { readIfExists, writeAtomic } from './fs.ts';

/** An unfinished delivery, with the time its scheduled retry is due. */
export interface JournalEntry {
  readonly delivery: Delivery;
  readonly dueAt?: number | undefined;
}

export interface DeliveryJournalOptions {
  readonly dir: string;
  readonly fileName?: string;
  /** fdatasync before `accept` resolves (default true). Without it a process crash loses nothing, a power cut may. */
  readonly fsync?: boolean;
  /** Compact once the file is larger than this (default 16 MiB) and twice its size after the last compaction. */
  readonly compactBytes?: number;
  readonly logger: Logger;
}

type JournalRecord =
  | { readonly t: 'h'; readonly v: 1 }
  | { readonly t: 'e'; readonly d: Delivery; readonly n?: number | undefined; readonly due?: number | undefined }
  | { readonly t: 'a'; readonly id: string; readonly n: number }
  | { readonly t: 'r'; readonly id: string; readonly due: number }
  | { readonly t: 'c'; readonly id: string; readonly ok: boolean };

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

const HEADER = `${JSON.stringify({ t: 'h', v: 1 })}\n`;

/** An open journal file; see the module comment. */
export class DeliveryJournal {
  readonly #file: string;
  readonly #options: DeliveryJournalOptions;
  readonly #state: JournalState;
  #handle: FileHandle;
  #pending: string[] = [];
  #waiters: Waiter[] = [];
  #durable = false;
  #running = false;
  #idle: (() => void)[] = [];
  #failed: Error | undefined;
  #closed = false;
  #bytes: number;
  #baseBytes: number;

  private constructor(file: string, handle: FileHandle, state: JournalState, bytes: number, options: DeliveryJournalOptions) {
    this.#file = file;
    this.#state = state;
    this.#handle = handle;
    this.#bytes = this.#baseBytes = bytes;
    this.#options = options;
  }

  /** Read and compact the journal; resolves with it and the deliveries it holds unfinished. */
  static async open(options: DeliveryJournalOptions): Promise<{ journal: DeliveryJournal; recovered: JournalEntry[] }> {
    const file = join(options.dir, options.fileName ?? 'deliveries.jsonl');
    try {
      await mkdir(options.dir, { recursive: true });
      const state = replay((await readIfExists(file)) ?? '', file, options.logger);
      const text = state.render();
      await writeAtomic(file, text);
      const handle = await open(file, 'a');
      return { journal: new DeliveryJournal(file, handle, state, Buffer.byteLength(text), options), recovered: state.entries() };
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      throw new GatewayError('GW_ERR_QUEUE_UNAVAILABLE', `Cannot open the delivery journal ${file}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Record accepted deliveries; resolves once they are written (and synced). */
  accept(deliveries: readonly Delivery[]): Promise<void> {
    return this.#append(deliveries.map((d): JournalRecord => ({ t: 'e', d })), true);
  }

  /** Record that attempt `delivery.attempts` is starting. */
  attempt(delivery: Delivery): void {
    this.#note({ t: 'a', id: delivery.id, n: delivery.attempts });
  }

  /** Record a retry scheduled for `dueAt` (epoch ms). */
  retry(id: string, dueAt: number): void {
    this.#note({ t: 'r', id, due: dueAt });
  }

  /** Record that a delivery finished (delivered, or dead-lettered). */
  finish(id: string, ok: boolean): void {
    this.#note({ t: 'c', id, ok });
  }

  /** Write what is pending and close the file. Later appends are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#running) await new Promise<void>((resolve) => this.#idle.push(resolve));
    await this.#handle.close();
  }

  #note(record: JournalRecord): void {
    // Failures are logged once by the writer; a lost note only means a redelivery.
    this.#append([record], false).catch(() => undefined);
  }

  #append(records: readonly JournalRecord[], durable: boolean): Promise<void> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    if (this.#closed) return Promise.reject(new Error('the delivery journal is closed'));
    for (const record of records) this.#pending.push(this.#state.apply(record));
    this.#durable ||= durable;
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    if (!this.#running) {
      this.#running = true;
      setImmediate(() => void this.#loop());
    }
    return done;
  }

  /** Write batches until nothing is pending. `#running` is cleared in the same tick as the final check. */
  async #loop(): Promise<void> {
    try {
      while (this.#pending.length > 0 && this.#failed === undefined) {
        const data = this.#pending.join('');
        const waiters = this.#waiters;
        const sync = this.#durable && this.#options.fsync !== false;
        this.#pending = [];
        this.#waiters = [];
        this.#durable = false;
        try {
          await this.#handle.appendFile(data);
          if (sync) await this.#handle.datasync();
          this.#bytes += Buffer.byteLength(data);
          for (const w of waiters) w.resolve();
          await this.#maybeCompact();
        } catch (err) {
          this.#fail(err, waiters);
        }
      }
    } finally {
      this.#running = false;
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  async #maybeCompact(): Promise<void> {
    const threshold = this.#options.compactBytes ?? 16 * 1024 * 1024;
    if (this.#bytes <= threshold || this.#bytes <= 2 * this.#baseBytes) return;
    const text = this.#state.render();
    await writeAtomic(this.#file, text);
    const old = this.#handle;
    this.#handle = await open(this.#file, 'a');
    await old.close();
    this.#bytes = this.#baseBytes = Buffer.byteLength(text);
    this.#options.logger.debug({ file: this.#file, bytes: this.#bytes }, 'delivery journal compacted');
  }

  #fail(err: unknown, waiters: Waiter[]): void {
    this.#failed = new GatewayError('GW_ERR_QUEUE_UNAVAILABLE', `The delivery journal ${this.#file} failed: ${(err as Error).message}`, {
      cause: err,
      headers: { 'Retry-After': '1' },
    });
    this.#options.logger.error({ err, file: this.#file }, 'delivery journal write failed; refusing further deliveries');
    for (const w of [...waiters, ...this.#waiters.splice(0)]) w.reject(this.#failed);
    this.#pending = [];
  }
}

interface Live {
  /** The delivery as accepted, serialised once. */
  readonly json: string;
  attempts: number;
  dueAt: number | undefined;
}

/** The unfinished deliveries that a sequence of records leaves, kept up to date as records are appended. */
class JournalState {
  readonly #live = new Map<string, Live>();

  /** Apply a record; returns its journal line. Records about unknown ids are no-ops (they follow a compaction). */
  apply(record: JournalRecord): string {
    if (record.t === 'e') {
      const live: Live = { json: JSON.stringify(record.d), attempts: Math.max(record.d.attempts, record.n ?? 0), dueAt: record.due };
      this.#live.set(record.d.id, live);
      return line(live);
    }
    const live = record.t === 'h' ? undefined : this.#live.get(record.id);
    if (record.t === 'a' && live !== undefined) live.attempts = Math.max(live.attempts, record.n);
    else if (record.t === 'r' && live !== undefined) live.dueAt = record.due;
    else if (record.t === 'c') this.#live.delete(record.id);
    return `${JSON.stringify(record)}\n`;
  }

  /** A journal holding exactly the unfinished deliveries. */
  render(): string {
    let text = HEADER;
    for (const live of this.#live.values()) text += line(live);
    return text;
  }

  entries(): JournalEntry[] {
    return [...this.#live.values()].map((l) => ({ delivery: { ...(JSON.parse(l.json) as Delivery), attempts: l.attempts }, dueAt: l.dueAt }));
  }
}

function line(live: Live): string {
  return `{"t":"e","n":${live.attempts}${live.dueAt === undefined ? '' : `,"due":${live.dueAt}`},"d":${live.json}}\n`;
}

/** Replay a journal's text, in order. A torn last line is ignored with a warning; any other bad line throws. */
function replay(text: string, file: string, logger: Logger): JournalState {
  const state = new JournalState();
  const lines = text.split('\n');
  const torn = lines.pop(); // '' when the file ends with a newline
  lines.forEach((text, i) => {
    const record = parseRecord(text);
    if (record === undefined) {
      throw new GatewayError('GW_ERR_QUEUE_UNAVAILABLE', `The delivery journal ${file} is corrupt at line ${i + 1}; refusing to start. Move it away to start empty (its deliveries are then lost).`);
    }
    state.apply(record);
  });
  if (torn !== undefined && torn !== '') {
    const record = parseRecord(torn);
    if (record === undefined) logger.warn({ file, line: lines.length + 1, bytes: torn.length }, 'ignoring the torn last line of the delivery journal (a crash during a write)');
    else state.apply(record);
  }
  return state;
}

function parseRecord(line: string): JournalRecord | undefined {
  let r: unknown;
  try {
    r = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof r !== 'object' || r === null) return undefined;
  const o = r as Record<string, unknown>;
  switch (o.t) {
    case 'h':
      return o.v === 1 ? { t: 'h', v: 1 } : undefined;
    case 'e':
      return isDelivery(o.d) && isOptionalNumber(o.n) && isOptionalNumber(o.due) ? { t: 'e', d: o.d, n: o.n, due: o.due } : undefined;
    case 'a':
      return typeof o.id === 'string' && typeof o.n === 'number' ? { t: 'a', id: o.id, n: o.n } : undefined;
    case 'r':
      return typeof o.id === 'string' && typeof o.due === 'number' ? { t: 'r', id: o.id, due: o.due } : undefined;
    case 'c':
      return typeof o.id === 'string' && typeof o.ok === 'boolean' ? { t: 'c', id: o.id, ok: o.ok } : undefined;
    default:
      return undefined;
  }
}

function isDelivery(d: unknown): d is Delivery {
  if (typeof d !== 'object' || d === null) return false;
  const o = d as Record<string, unknown>;
  return (
    typeof o.id === 'string' && typeof o.space === 'string' && typeof o.subscriptionId === 'string' && typeof o.functionId === 'string' &&
    typeof o.event === 'object' && o.event !== null && typeof o.specVersion === 'string' && typeof o.attempts === 'number' && typeof o.acceptedAt === 'number'
  );
}

function isOptionalNumber(value: unknown): value is number | undefined {
  return value === undefined || typeof value === 'number';
}
