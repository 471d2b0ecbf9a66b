/**
 * KV key encoding. KV keys allow `[-/_=.a-zA-Z0-9]` and use `.` as the token separator, while spaces contain dots
 * and ids contain `%`, `:`, spaces and anything else. A key is `<kind>.<space>.<id>` where:
 * - kind is written as is when it matches `[-_a-zA-Z0-9]+` (all core kinds do), else `=` + base64url(kind);
 * - space and id are base64url (RFC 4648 §5, no padding) of their UTF-8 bytes; the empty string is `=`.
 * base64url never yields `=` without padding, so the encoding is unambiguous and reversible.
 */
import type { KvEntry } from '@nats-io/kv';
import type { StoreEntry, StoreKey } from '@switchyard/core';

const PLAIN_KIND = /^[-_a-zA-Z0-9]+$/;

function b64(value: string): string {
  return value === '' ? '=' : Buffer.from(value, 'utf8').toString('base64url');
}

function unb64(token: string): string {
  return token === '=' ? '' : Buffer.from(token, 'base64url').toString('utf8');
}

export function encodeKind(kind: string): string {
  return PLAIN_KIND.test(kind) ? kind : `=${b64(kind)}`;
}

export function encodeSpace(space: string): string {
  return b64(space);
}

export function encodeKey(kind: string, space: string, id: string): string {
  return `${encodeKind(kind)}.${b64(space)}.${b64(id)}`;
}

/** The store key of a KV key, or `undefined` for a key this encoding did not make. */
export function decodeKey(key: string): StoreKey | undefined {
  const parts = key.split('.');
  if (parts.length !== 3) return undefined;
  const [kind, space, id] = parts as [string, string, string];
  return { kind: kind.startsWith('=') ? unb64(kind.slice(1)) : kind, space: unb64(space), id: unb64(id) };
}

/** A KV entry as a `StoreEntry`, or `undefined` for a delete marker or a foreign key. */
export function toEntry<T>(e: KvEntry): StoreEntry<T> | undefined {
  if (e.operation !== 'PUT') return undefined;
  const key = decodeKey(e.key);
  if (key === undefined) return undefined;
  return { ...key, value: e.json<T>(), revision: e.revision };
}
