/**
 * An optional cache of authorizer verdicts (allowed and denied, never failures), per gateway.
 *
 * Key: (space, authorizerId, event type, identity), where identity is the SHA-256 of the request's
 * `Authorization`, `X-Api-Key` and `Cookie` header values (by default; `identityHeaders` changes the list).
 * A request that sends none of those headers is never cached: its verdict can only depend on something else.
 * The authorizer must decide from those headers alone for the cache to be correct (like AWS API Gateway's token
 * authorizer caching): decisions that depend on the event data, the path or the query must not use it.
 *
 * Entries live `ttlMs`; at most `maxEntries` are kept, the least recently used are evicted first.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthorizerVerdict } from './call.ts';

export interface AuthorizerCacheOptions {
  /** How long a verdict is reused, in ms. */
  readonly ttlMs: number;
  /** The most verdicts kept. Default 10 000. */
  readonly maxEntries?: number;
  /** Request headers that identify the caller (lower case). Default `authorization`, `x-api-key`, `cookie`. */
  readonly identityHeaders?: readonly string[];
}

export const DEFAULT_IDENTITY_HEADERS: readonly string[] = ['authorization', 'x-api-key', 'cookie'];
const SEP = '\u0000';

interface Entry {
  readonly verdict: AuthorizerVerdict;
  readonly expiresAt: number;
}

export class AuthorizerCache {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #headers: readonly string[];
  /** A Map keeps insertion order: re-inserting on a hit makes its first key the least recently used. */
  readonly #entries = new Map<string, Entry>();
  hits = 0;
  misses = 0;

  constructor(options: AuthorizerCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#headers = (options.identityHeaders ?? DEFAULT_IDENTITY_HEADERS).map((h) => h.toLowerCase());
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cache key for a request, or undefined when it sends no identity header (not cacheable). */
  key(space: string, authorizerId: string, eventType: string, headers: IncomingHttpHeaders): string | undefined {
    const hash = createHash('sha256');
    let any = false;
    for (const name of this.#headers) {
      const value = headers[name];
      const text = Array.isArray(value) ? value.join('\n') : value;
      if (text !== undefined && text !== '') any = true;
      hash.update(name).update(SEP).update(text ?? '').update(SEP);
    }
    if (!any) return undefined;
    return space + SEP + authorizerId + SEP + eventType + SEP + hash.digest('base64');
  }

  get(key: string, now = Date.now()): AuthorizerVerdict | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.expiresAt <= now) {
      if (entry !== undefined) this.#entries.delete(key);
      this.misses++;
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.hits++;
    return entry.verdict;
  }

  /** Keep an allowed or denied verdict; failures are not kept. */
  set(key: string, verdict: AuthorizerVerdict, now = Date.now()): void {
    if (!verdict.ok && !verdict.denied) return;
    this.#entries.delete(key);
    this.#entries.set(key, { verdict, expiresAt: now + this.#ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
