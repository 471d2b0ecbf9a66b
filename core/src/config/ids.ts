/**
 * Deterministic resource ids, byte for byte as the original computes them (reference §3.3, §3.4).
 */
import type { Subscription } from '../resources.ts';

const HEX = '0123456789ABCDEF';

/** Bytes Go's `url.PathEscape` leaves alone: `A-Z a-z 0-9 - _ . ~ $ & + : = @`. */
function unescaped(b: number): boolean {
  return (
    (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) ||
    b === 0x2d || b === 0x5f || b === 0x2e || b === 0x7e ||
    b === 0x24 || b === 0x26 || b === 0x2b || b === 0x3a || b === 0x3d || b === 0x40
  );
}

/**
 * Go's `url.PathEscape`: every other UTF-8 byte becomes `%XX` (upper-case hex), `/ , ; ? *` and space included.
 * `encodeURIComponent` is not the same (it escapes `$&+:=@` and keeps `*!'()`).
 */
export function pathEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    out += unescaped(b) ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

/**
 * A subscription's id: base64url without padding of `async,<eventType>,<functionId>,<PathEscape(path)>,<method>`,
 * or of `sync,<eventType>,<PathEscape(path)>,<method>` (one sync subscription per event type, path and method).
 */
export function subscriptionId(sub: Pick<Subscription, 'type' | 'eventType' | 'functionId' | 'path' | 'method'>): string {
  const raw = sub.type === 'async'
    ? `async,${sub.eventType},${sub.functionId},${pathEscape(sub.path)},${sub.method}`
    : `${sub.type},${sub.eventType},${pathEscape(sub.path)},${sub.method}`;
  return Buffer.from(raw, 'utf8').toString('base64url');
}

/** A CORS configuration's id: the method followed by the escaped path, e.g. `GET%2Fhello`. */
export function corsId(method: string, path: string): string {
  return method + pathEscape(path);
}
