/**
 * API key material. A key is `sy_<keyId>_<secret>`: `keyId` is 16 hex characters (64 random bits, also the key's
 * id in the Config API), `secret` 43 base64url characters (32 random bytes). Only `sha256(key)` is stored; a
 * presented key is found by its keyId, then its hash is compared in constant time (`timingSafeEqual`). A slow
 * password hash is not needed: the secret has 256 bits of entropy, so its SHA-256 cannot be guessed back.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { API_KEY_PREFIX } from '../credentials.ts';

const KEY_FORMAT = /^sy_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
export const KEY_ID_PATTERN = /^[0-9a-f]{16}$/;

/** How a key's hash is written in the store: `sha256:<hex>`. */
export const HASH_PREFIX = 'sha256:';

export interface NewKey {
  readonly keyId: string;
  /** The whole key, shown once. */
  readonly key: string;
  /** `sha256:<hex of sha256(key)>`, what is stored. */
  readonly hash: string;
}

export function generateKey(): NewKey {
  const keyId = randomBytes(8).toString('hex');
  const key = `${API_KEY_PREFIX}${keyId}_${randomBytes(32).toString('base64url')}`;
  return { keyId, key, hash: hashKey(key) };
}

export function hashKey(key: string): string {
  return HASH_PREFIX + createHash('sha256').update(key).digest('hex');
}

/** The keyId of a well-formed key, else undefined. */
export function keyIdOf(key: string): string | undefined {
  return KEY_FORMAT.exec(key)?.[1];
}

/** The 32-byte digest of a stored `sha256:<hex>` hash, or undefined when it is not one. */
export function digestOf(hash: string): Buffer | undefined {
  if (!hash.startsWith(HASH_PREFIX)) return undefined;
  const hex = hash.slice(HASH_PREFIX.length);
  return /^[0-9a-f]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : undefined;
}

const DUMMY = Buffer.alloc(32);

/** Whether `key` hashes to `digest`, in constant time (a missing digest still costs one hash and one compare). */
export function keyMatches(key: string, digest: Buffer | undefined): boolean {
  const presented = createHash('sha256').update(key).digest();
  return timingSafeEqual(presented, digest ?? DUMMY) && digest !== undefined;
}
