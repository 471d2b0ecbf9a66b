/**
 * `NatsStore`: the `ConfigStore` on a JetStream KV bucket (default `switchyard-config`), one key per resource
 * (see `keys.ts` for the encoding). Revisions are KV revisions (the stream sequence of the write), so they grow
 * across keys and re-creations. Creates and compare-and-set updates and deletes are conditional writes
 * (`Nats-Expected-Last-Subject-Sequence`): concurrent writers through any gateway cannot lose updates.
 */
import { JetStreamApiCodes, JetStreamApiError, StorageType } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { GatewayError } from '@switchyard/core';
import type { ConfigStore, StoreChange, StoreEntry, StoreListener } from '@switchyard/core';
import type { NatsLink } from './connection.ts';
import { decodeKey, encodeKey, encodeKind, encodeSpace, toEntry } from './keys.ts';
import { KvWatch } from './watch.ts';
import type { WatchTarget } from './watch.ts';

export const DEFAULT_BUCKET = 'switchyard-config';

export interface NatsStoreOptions {
  readonly link: NatsLink;
  /** KV bucket name. Default `switchyard-config`. */
  readonly bucket?: string;
  /** Bucket replicas when the bucket is created. Default 1. */
  readonly replicas?: number;
}

const CAS_CODES: readonly number[] = [JetStreamApiCodes.StreamWrongLastSequence, JetStreamApiCodes.StreamWrongLastSequenceUnknown];

function isCasFailure(err: unknown): boolean {
  return err instanceof JetStreamApiError && CAS_CODES.includes(err.code);
}

function storeError(message: string, cause: unknown): GatewayError {
  return new GatewayError('GW_ERR_STORE', `${message}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
}

export class NatsStore implements ConfigStore {
  readonly bucket: string;
  readonly #link: NatsLink;
  readonly #replicas: number;
  #kv: KV | undefined;
  #target: WatchTarget | undefined;
  readonly #watches = new Set<KvWatch>();

  constructor(options: NatsStoreOptions) {
    this.#link = options.link;
    this.bucket = options.bucket ?? DEFAULT_BUCKET;
    this.#replicas = options.replicas ?? 1;
  }

  async open(): Promise<void> {
    if (this.#kv !== undefined) return;
    const { js, jsm } = await this.#link.acquire();
    try {
      const kvm = new Kvm(js);
      // An existing bucket is used as it is (its replicas may differ from ours); a missing one is created.
      const exists = (): Promise<boolean> => jsm.streams.info(`KV_${this.bucket}`).then(() => true, () => false);
      const kv = await kvm.create(this.bucket, { history: 1, replicas: this.#replicas, storage: StorageType.File })
        .catch(async (err: unknown) => ((await exists()) ? kvm.open(this.bucket) : Promise.reject(err)));
      this.#kv = kv;
      this.#target = { kv, jsm, bucket: this.bucket };
    } catch (err) {
      await this.#link.release();
      throw storeError(`cannot open KV bucket ${this.bucket}`, err);
    }
  }

  get #bucket(): KV {
    return this.#watchTarget.kv;
  }

  get #watchTarget(): WatchTarget {
    if (this.#target === undefined) throw new GatewayError('GW_ERR_STORE', 'the NATS store is not open');
    return this.#target;
  }

  async get<T = unknown>(kind: string, space: string, id: string): Promise<StoreEntry<T> | undefined> {
    const e = await this.#call('read', () => this.#bucket.get(encodeKey(kind, space, id)));
    return e === null ? undefined : toEntry<T>(e);
  }

  async list<T = unknown>(kind: string, space?: string): Promise<StoreEntry<T>[]> {
    const filter = space === undefined ? `${encodeKind(kind)}.*.*` : `${encodeKind(kind)}.${encodeSpace(space)}.*`;
    const entries = await this.#call('list', () => KvWatch.snapshot(this.#watchTarget, filter));
    return entries
      .map((e) => toEntry<T>(e))
      .filter((e): e is StoreEntry<T> => e !== undefined && e.kind === kind)
      .sort((a, b) => compare(a.space, b.space) || compare(a.id, b.id));
  }

  async create<T>(kind: string, space: string, id: string, value: T): Promise<StoreEntry<T> | undefined> {
    const payload = JSON.stringify(value);
    try {
      const revision = await this.#bucket.create(encodeKey(kind, space, id), payload);
      return { kind, space, id, value: JSON.parse(payload) as T, revision };
    } catch (err) {
      if (isCasFailure(err)) return undefined;
      throw storeError('create failed', err);
    }
  }

  async update<T>(kind: string, space: string, id: string, value: T, expectedRevision?: number): Promise<StoreEntry<T> | undefined> {
    const key = encodeKey(kind, space, id);
    const payload = JSON.stringify(value);
    for (;;) {
      const current = await this.#call('read', () => this.#bucket.get(key));
      if (current === null || current.operation !== 'PUT') return undefined;
      if (expectedRevision !== undefined && current.revision !== expectedRevision) throw conflict(kind, space, id);
      try {
        const revision = await this.#bucket.update(key, payload, current.revision);
        return { kind, space, id, value: JSON.parse(payload) as T, revision };
      } catch (err) {
        if (!isCasFailure(err)) throw storeError('update failed', err);
        if (expectedRevision !== undefined) throw conflict(kind, space, id);
        // Someone wrote in between and no revision was asked for: last writer wins, read again.
      }
    }
  }

  async delete(kind: string, space: string, id: string): Promise<boolean> {
    const key = encodeKey(kind, space, id);
    for (;;) {
      const current = await this.#call('read', () => this.#bucket.get(key));
      if (current === null || current.operation !== 'PUT') return false;
      try {
        await this.#bucket.delete(key, { previousSeq: current.revision });
        return true;
      } catch (err) {
        if (!isCasFailure(err)) throw storeError('delete failed', err);
        // Changed in between (updated, or deleted by another writer): look again.
      }
    }
  }

  async spaces(): Promise<string[]> {
    const keys = await this.#call('list', async () => {
      const out: string[] = [];
      for await (const k of await this.#bucket.keys()) out.push(k);
      return out;
    });
    const spaces = new Set<string>();
    for (const k of keys) {
      const key = decodeKey(k);
      if (key !== undefined) spaces.add(key.space);
    }
    return [...spaces].sort(compare);
  }

  async watch(listener: StoreListener): Promise<() => void> {
    const watch = new KvWatch(this.#watchTarget, (change: StoreChange) => {
      try {
        listener(change);
      } catch (err) {
        this.#link.logger.error({ err }, 'a config store watcher threw');
      }
    }, this.#link.logger);
    this.#watches.add(watch);
    try {
      await watch.start();
    } catch (err) {
      this.#watches.delete(watch);
      throw storeError('watch failed', err);
    }
    return () => {
      this.#watches.delete(watch);
      watch.stop();
    };
  }

  async close(): Promise<void> {
    if (this.#kv === undefined) return;
    for (const watch of this.#watches) watch.stop();
    this.#watches.clear();
    this.#kv = undefined;
    this.#target = undefined;
    await this.#link.release();
  }

  async #call<R>(what: string, fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      throw storeError(`${what} failed`, err);
    }
  }
}

function conflict(kind: string, space: string, id: string): GatewayError {
  return new GatewayError('GW_ERR_CONFLICT', `${kind} ${space}/${id} was changed by another writer`);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
