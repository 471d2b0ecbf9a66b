/**
 * A KV watch that knows when the initial values end. `kv.watch` delivers the last value of every key first
 * (delete markers included), then live changes, over an ordered consumer that survives reconnects. The initial
 * batch ends with the entry whose `delta` (messages still pending for the consumer) is 0; when the bucket has no
 * key under the filter at all, stream info says so and there is nothing to wait for.
 */
import type { JetStreamManager } from '@nats-io/jetstream';
import type { KV, KvEntry } from '@nats-io/kv';
import type { Logger, StoreChange } from '@switchyard/core';
import { decodeKey, toEntry } from './keys.ts';

type Iter = Awaited<ReturnType<KV['watch']>>;

/** Give up waiting for the end of the initial values after this long (the watch keeps running). */
const INITIAL_TIMEOUT_MS = 10_000;

/** Whether any key (delete markers included) of `bucket` matches `filter`. */
async function hasKeys(jsm: JetStreamManager, bucket: string, filter: string): Promise<boolean> {
  const info = await jsm.streams.info(`KV_${bucket}`, { subjects_filter: `$KV.${bucket}.${filter}` });
  if (info.state.messages === 0) return false;
  return Object.keys(info.state.subjects ?? {}).length > 0;
}

/** Where a watch reads: the bucket, its name and a manager for stream info. */
export interface WatchTarget {
  readonly kv: KV;
  readonly bucket: string;
  readonly jsm: JetStreamManager;
}

export class KvWatch {
  readonly #target: WatchTarget;
  readonly #onChange: (change: StoreChange) => void;
  readonly #logger: Logger;
  readonly #filter: string;
  #iter: Iter | undefined;
  #stopped = false;

  constructor(target: WatchTarget, onChange: (change: StoreChange) => void, logger: Logger, filter = '>') {
    this.#target = target;
    this.#onChange = onChange;
    this.#logger = logger;
    this.#filter = filter;
  }

  /** The current entries under `filter` (delete markers included; callers drop them). */
  static async snapshot(target: WatchTarget, filter: string): Promise<KvEntry[]> {
    const out: KvEntry[] = [];
    const iter = await target.kv.watch({ key: filter });
    try {
      if (!(await hasKeys(target.jsm, target.bucket, filter))) return out;
      for await (const e of iter) {
        out.push(e);
        if (e.delta === 0) break;
      }
      return out;
    } finally {
      iter.stop();
    }
  }

  /** Start; resolves once the current entries were delivered as puts. */
  async start(): Promise<void> {
    const { kv, jsm, bucket } = this.#target;
    const iter = await kv.watch({ key: this.#filter });
    this.#iter = iter;
    let initial = await hasKeys(jsm, bucket, this.#filter).catch(() => true);
    let markInitialDone: () => void = () => undefined;
    const initialDone = new Promise<void>((resolve) => {
      markInitialDone = resolve;
      if (!initial) resolve();
    });
    const timer = setTimeout(() => {
      if (!initial) return;
      this.#logger.warn({ filter: this.#filter }, 'KV watch: initial values not complete after 10 s; continuing');
      initial = false;
      markInitialDone();
    }, INITIAL_TIMEOUT_MS);
    timer.unref();
    void (async () => {
      for await (const e of iter) {
        if (this.#stopped) break;
        const entry = toEntry(e);
        // A live change carries the time JetStream stored it (the watch lag metric compares it with now).
        const at = initial ? {} : { at: e.created.getTime() };
        if (entry !== undefined) this.#onChange({ op: 'put', entry, ...at });
        else if (!initial) {
          const key = decodeKey(e.key);
          if (key !== undefined) this.#onChange({ op: 'delete', key, ...at });
        }
        if (initial && e.delta === 0) {
          initial = false;
          clearTimeout(timer);
          markInitialDone();
        }
      }
    })().catch((err: unknown) => this.#logger.error({ err }, 'KV watch ended with an error'));
    await initialDone;
    clearTimeout(timer);
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#iter?.stop();
  }
}
