/**
 * Token buckets, one per client and budget, refilled lazily (no timers): a bucket holds up to `limit` tokens and
 * regains `limit` every `intervalMs`, evenly. An event takes one token; with none left, the answer is how long until
 * there is one. The map is bounded: the least recently used bucket is forgotten first.
 */
import type { RateLimit } from './options.ts';

interface Bucket {
  tokens: number;
  at: number;
}

/** `ok`, or how long (ms) until the next token. */
export type Take = { readonly ok: true } | { readonly ok: false; readonly retryInMs: number };

export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>();
  readonly #max: number;
  readonly #clock: () => number;

  constructor(maxBuckets: number, clock: () => number) {
    this.#max = maxBuckets;
    this.#clock = clock;
  }

  get size(): number {
    return this.#buckets.size;
  }

  take(key: string, { limit, intervalMs }: RateLimit): Take {
    const now = this.#clock();
    const perMs = limit / intervalMs;
    const bucket = this.#buckets.get(key) ?? { tokens: limit, at: now };
    bucket.tokens = Math.min(limit, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    // Map order is insertion order: re-inserting makes this the most recently used, the first key the least.
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#max) this.#buckets.delete(this.#buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryInMs: (1 - bucket.tokens) / perMs };
  }
}
