/**
 * `MemoryStore`: the in-memory `ConfigStore` of `--dev`, and the state engine `FileStore` composes.
 *
 * Revisions come from one counter for the whole store, so a key deleted and created again gets a higher revision
 * than it ever had. Values are deep-copied (`structuredClone`) in and out: callers never share objects with the
 * stored state. Watchers are called synchronously, in order, as each write is applied.
 */
import { GatewayError } from '../errors.ts';
import { consoleLogger, type Logger } from '../logger.ts';
import type { ConfigStore, StoreChange, StoreEntry, StoreKey, StoreListener } from '../store.ts';

/** Everything a store holds: its entries and the last revision it handed out. */
export interface StoreSnapshot {
  readonly revision: number;
  readonly entries: readonly StoreEntry[];
}

export interface MemoryStoreOptions {
  /** Start from this state (e.g. loaded from a file). Entries are copied. */
  readonly initial?: StoreSnapshot;
  /**
   * Called with the complete state a write would produce, before the write is applied or watchers hear of it; a
   * rejection aborts the write (the caller gets the rejection). While one is set, writes are serialised. It must
   * not mutate the snapshot.
   */
  readonly persist?: (snapshot: StoreSnapshot) => Promise<void>;
  /** Where a throwing watcher is reported. */
  readonly logger?: Logger;
}

interface Plan<R> {
  readonly result: R;
  readonly change?: StoreChange;
}

/** In-memory `ConfigStore`; see the module comment. */
export class MemoryStore implements ConfigStore {
  /** kind → (space, id) key → entry. */
  readonly #kinds = new Map<string, Map<string, StoreEntry>>();
  readonly #listeners = new Set<StoreListener>();
  readonly #persist: ((snapshot: StoreSnapshot) => Promise<void>) | undefined;
  readonly #logger: Logger;
  #revision = 0;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.#persist = options.persist;
    this.#logger = options.logger ?? consoleLogger({ component: 'config-store' });
    if (options.initial !== undefined) {
      this.#revision = options.initial.revision;
      for (const entry of options.initial.entries) {
        this.#put({ ...entry, value: structuredClone(entry.value) });
        this.#revision = Math.max(this.#revision, entry.revision);
      }
    }
  }

  async open(): Promise<void> {}

  async get<T = unknown>(kind: string, space: string, id: string): Promise<StoreEntry<T> | undefined> {
    this.#assertOpen();
    const entry = this.#find(kind, space, id);
    return entry === undefined ? undefined : (copy(entry) as StoreEntry<T>);
  }

  async list<T = unknown>(kind: string, space?: string): Promise<StoreEntry<T>[]> {
    this.#assertOpen();
    const entries = [...(this.#kinds.get(kind)?.values() ?? [])].filter((e) => space === undefined || e.space === space);
    return entries.sort(byKey).map((e) => copy(e) as StoreEntry<T>);
  }

  create<T>(kind: string, space: string, id: string, value: T): Promise<StoreEntry<T> | undefined> {
    return this.#write(value, (stored) => {
      if (this.#find(kind, space, id) !== undefined) return { result: undefined };
      const entry: StoreEntry = { kind, space, id, value: stored, revision: this.#revision + 1 };
      return { result: copy(entry) as StoreEntry<T>, change: { op: 'put', entry } };
    });
  }

  update<T>(kind: string, space: string, id: string, value: T, expectedRevision?: number): Promise<StoreEntry<T> | undefined> {
    return this.#write(value, (stored) => {
      const existing = this.#find(kind, space, id);
      if (existing === undefined) return { result: undefined };
      if (expectedRevision !== undefined && existing.revision !== expectedRevision) {
        throw new GatewayError(
          'GW_ERR_CONFLICT',
          `${kind} "${id}" in space "${space}" was changed concurrently (revision ${existing.revision}, expected ${expectedRevision}).`,
        );
      }
      const entry: StoreEntry = { kind, space, id, value: stored, revision: this.#revision + 1 };
      return { result: copy(entry) as StoreEntry<T>, change: { op: 'put', entry } };
    });
  }

  delete(kind: string, space: string, id: string): Promise<boolean> {
    return this.#write(undefined, () => {
      if (this.#find(kind, space, id) === undefined) return { result: false };
      return { result: true, change: { op: 'delete', key: { kind, space, id } } };
    });
  }

  async spaces(): Promise<string[]> {
    this.#assertOpen();
    const spaces = new Set<string>();
    for (const entries of this.#kinds.values()) for (const entry of entries.values()) spaces.add(entry.space);
    return [...spaces].sort(compare);
  }

  async watch(listener: StoreListener): Promise<() => void> {
    this.#assertOpen();
    for (const entry of this.snapshot().entries) this.#notify(listener, { op: 'put', entry });
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Stop watchers; later calls reject with `GW_ERR_STORE`. Waits for a write being persisted. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    await this.#tail;
  }

  /** The current state, sorted by kind, space and id. Values are shared, not copied: do not mutate them. */
  snapshot(): StoreSnapshot {
    const entries: StoreEntry[] = [];
    for (const kind of [...this.#kinds.keys()].sort(compare)) entries.push(...[...this.#kinds.get(kind)!.values()].sort(byKey));
    return { revision: this.#revision, entries };
  }

  /** Run a write: plan it against the current state, persist (when configured), apply, notify. */
  #write<R>(value: unknown, plan: (stored: unknown) => Plan<R>): Promise<R> {
    try {
      this.#assertOpen();
      const stored = value === undefined ? undefined : structuredClone(value);
      if (this.#persist === undefined) {
        const { result, change } = plan(stored);
        if (change !== undefined) this.#apply(change);
        return Promise.resolve(result);
      }
      const persist = this.#persist;
      const run = this.#tail.then(async () => {
        this.#assertOpen();
        const { result, change } = plan(stored);
        if (change !== undefined) {
          await persist(this.#snapshotWith(change));
          this.#apply(change);
        }
        return result;
      });
      this.#tail = run.catch(() => undefined);
      return run;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #snapshotWith(change: StoreChange): StoreSnapshot {
    const key = change.op === 'put' ? change.entry : change.key;
    const entries = this.snapshot().entries.filter((e) => e.kind !== key.kind || e.space !== key.space || e.id !== key.id);
    if (change.op === 'put') entries.push(change.entry);
    return { revision: Math.max(this.#revision, change.op === 'put' ? change.entry.revision : 0), entries };
  }

  #apply(change: StoreChange): void {
    if (change.op === 'put') {
      this.#put(change.entry);
      this.#revision = Math.max(this.#revision, change.entry.revision);
    } else {
      this.#kinds.get(change.key.kind)?.delete(entryKey(change.key));
    }
    const at = Date.now();
    for (const listener of [...this.#listeners]) if (this.#listeners.has(listener)) this.#notify(listener, change, at);
  }

  #put(entry: StoreEntry): void {
    let entries = this.#kinds.get(entry.kind);
    if (entries === undefined) this.#kinds.set(entry.kind, (entries = new Map<string, StoreEntry>()));
    entries.set(entryKey(entry), entry);
  }

  #notify(listener: StoreListener, change: StoreChange, at?: number): void {
    const when = at === undefined ? {} : { at };
    try {
      listener(change.op === 'put' ? { op: 'put', entry: copy(change.entry), ...when } : { op: 'delete', key: { ...change.key }, ...when });
    } catch (err) {
      this.#logger.error({ err, change: change.op }, 'config store watcher threw');
    }
  }

  #find(kind: string, space: string, id: string): StoreEntry | undefined {
    return this.#kinds.get(kind)?.get(entryKey({ kind, space, id }));
  }

  #assertOpen(): void {
    if (this.#closed) throw new GatewayError('GW_ERR_STORE', 'The config store is closed.');
  }
}

function entryKey(key: StoreKey): string {
  return JSON.stringify([key.space, key.id]);
}

function copy(entry: StoreEntry): StoreEntry {
  return { kind: entry.kind, space: entry.space, id: entry.id, value: structuredClone(entry.value), revision: entry.revision };
}

/** Code-unit order, the same on every platform and locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byKey(a: StoreKey, b: StoreKey): number {
  return compare(a.space, b.space) || compare(a.id, b.id);
}
