/**
 * API keys: kept in the ConfigStore under kind `apikeys` (so they persist with `--data-dir` and replicate in cluster
 * mode), and indexed in memory by keyId for the Events API's hot path. The index is fed by `store.watch` (started
 * in the `start` hook, stopped in `close`), and updated at once by this gateway's own creates and deletes.
 */
import type { ConfigStore, StoreChange } from '@switchyard/core';
import { GatewayError, isGatewayError } from '@switchyard/core';
import type { ApiKeyIdentity, Authorization } from '../types.ts';
import { digestOf, generateKey, keyIdOf, keyMatches } from './keys.ts';
import type { ApiKeyInput, ApiKeyView, StoredApiKey } from './validate.ts';
import { keyNotFound, view } from './validate.ts';

export const APIKEYS_KIND = 'apikeys';

/** A verified key, as the auth stage uses it. */
export interface IndexedKey {
  readonly identity: ApiKeyIdentity;
  /** Event types the key may emit; undefined: any. */
  readonly eventTypes: ReadonlySet<string> | undefined;
  readonly authorization: Authorization;
  readonly digest: Buffer | undefined;
}

export class ApiKeyRegistry {
  readonly #store: ConfigStore;
  readonly #index = new Map<string, IndexedKey>();

  constructor(store: ConfigStore) {
    this.#store = store;
  }

  get size(): number {
    return this.#index.size;
  }

  /** Apply a store change (any kind; other kinds are ignored). Never throws. */
  apply(change: StoreChange): void {
    if (change.op === 'put') {
      if (change.entry.kind === APIKEYS_KIND) this.#put(change.entry.value as StoredApiKey);
    } else if (change.key.kind === APIKEYS_KIND) {
      this.#remove(change.key.space, change.key.id);
    }
  }

  /** The indexed key a presented key string proves, or undefined (malformed, unknown, revoked or wrong secret). */
  verify(key: string): IndexedKey | undefined {
    const keyId = keyIdOf(key);
    const found = keyId === undefined ? undefined : this.#index.get(keyId);
    return keyMatches(key, found?.digest) ? found : undefined;
  }

  async create(space: string, input: ApiKeyInput): Promise<ApiKeyView & { readonly key: string }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const { keyId, key, hash } = generateKey();
      const stored: StoredApiKey = { space, keyId, ...input, createdAt: new Date().toISOString(), hash };
      const entry = await this.#call(() => this.#store.create(APIKEYS_KIND, space, keyId, stored));
      if (entry === undefined) continue; // a 64-bit id collision: draw again
      this.#put(stored);
      return { ...view(stored), key };
    }
    throw new GatewayError('GW_ERR_STORE', 'Could not allocate an API key id.');
  }

  async list(space: string): Promise<ApiKeyView[]> {
    const entries = await this.#call(() => this.#store.list<StoredApiKey>(APIKEYS_KIND, space));
    return entries.map((e) => view(e.value));
  }

  async get(space: string, keyId: string): Promise<ApiKeyView> {
    const entry = await this.#call(() => this.#store.get<StoredApiKey>(APIKEYS_KIND, space, keyId));
    if (entry === undefined) throw keyNotFound(keyId);
    return view(entry.value);
  }

  async delete(space: string, keyId: string): Promise<void> {
    if (!(await this.#call(() => this.#store.delete(APIKEYS_KIND, space, keyId)))) throw keyNotFound(keyId);
    this.#remove(space, keyId);
  }

  #put(stored: StoredApiKey): void {
    if (typeof stored?.keyId !== 'string' || typeof stored.hash !== 'string') return;
    const identity: ApiKeyIdentity = {
      space: stored.space,
      keyId: stored.keyId,
      ...(stored.name === undefined ? {} : { name: stored.name }),
      ...(stored.metadata === undefined ? {} : { metadata: stored.metadata }),
    };
    this.#index.set(stored.keyId, {
      identity,
      eventTypes: stored.eventTypes === undefined ? undefined : new Set(stored.eventTypes),
      authorization: Object.freeze({ principalId: stored.keyId, context: Object.freeze({ ...identity }) }),
      digest: digestOf(stored.hash),
    });
  }

  #remove(space: string, keyId: string): void {
    if (this.#index.get(keyId)?.identity.space === space) this.#index.delete(keyId);
  }

  async #call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      if (isGatewayError(err)) throw err;
      throw new GatewayError('GW_ERR_STORE', `Config store error: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}
