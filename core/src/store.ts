/**
 * `ConfigStore`: where resources live. Three implementations pass one contract suite
 * (`@switchyard/core/testing` `configStoreContract`): in memory (`--dev`), file-backed (`--data-dir`) and
 * JetStream KV (`@switchyard/plugin-nats`).
 *
 * Keys are (kind, space, id). `kind` is a collection name (`eventtypes`, `functions`, `subscriptions`, `cors`, and
 * any a plugin adds); ids are opaque strings (CORS ids contain `%` and `:`, so implementations with restricted key
 * alphabets must encode them).
 */

export interface StoreKey {
  readonly kind: string;
  readonly space: string;
  readonly id: string;
}

export interface StoreEntry<T = unknown> extends StoreKey {
  readonly value: T;
  /** Increases with every write of this key; used for compare-and-set updates. */
  readonly revision: number;
}

/**
 * One change seen by a watcher. `at`: when the writer stored it (ms since the epoch, the writer's clock; for JetStream
 * KV the entry's server timestamp); set on live changes, absent on the current entries a watch starts with.
 */
export type StoreChange =
  | { readonly op: 'put'; readonly entry: StoreEntry; readonly at?: number }
  | { readonly op: 'delete'; readonly key: StoreKey; readonly at?: number };

export type StoreListener = (change: StoreChange) => void;

export interface ConfigStore {
  /** Connect or load. Called once by the gateway before anything else. */
  open(): Promise<void>;
  get<T = unknown>(kind: string, space: string, id: string): Promise<StoreEntry<T> | undefined>;
  /** Entries of a kind, in one space or (space omitted) all, sorted by space then id, ascending. */
  list<T = unknown>(kind: string, space?: string): Promise<StoreEntry<T>[]>;
  /** Create if absent (compare-and-set). Resolves `undefined` when the key already exists. */
  create<T>(kind: string, space: string, id: string, value: T): Promise<StoreEntry<T> | undefined>;
  /**
   * Replace an existing value. Resolves `undefined` when the key does not exist. With `expectedRevision`, rejects
   * with `GatewayError('GW_ERR_CONFLICT')` when the stored revision differs.
   */
  update<T>(kind: string, space: string, id: string, value: T, expectedRevision?: number): Promise<StoreEntry<T> | undefined>;
  /** Delete. Resolves `false` when the key did not exist. */
  delete(kind: string, space: string, id: string): Promise<boolean>;
  /** Names of the spaces that hold at least one resource, sorted. */
  spaces(): Promise<string[]>;
  /**
   * Watch every change. The current entries are delivered as `put`s before the returned promise resolves; later
   * changes follow in order. Resolves to the function that stops watching.
   */
  watch(listener: StoreListener): Promise<() => void>;
  close(): Promise<void>;
}
