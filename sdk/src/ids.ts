/**
 * Switchyard's deterministic ids, computed as the server computes them (Go's `url.PathEscape`, base64url without
 * padding), so a client can address a subscription or CORS configuration it has not listed. Browser-safe: only
 * `TextEncoder` and `btoa`.
 */

const HEX = '0123456789ABCDEF';
const encoder = new TextEncoder();

/** Bytes Go's `url.PathEscape` leaves alone: `A-Z a-z 0-9 - _ . ~ $ & + : = @`. */
function unescaped(b: number): boolean {
  return (
    (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) ||
    b === 0x2d || b === 0x5f || b === 0x2e || b === 0x7e ||
    b === 0x24 || b === 0x26 || b === 0x2b || b === 0x3a || b === 0x3d || b === 0x40
  );
}

/**
 * Go's `url.PathEscape`: every UTF-8 byte but `A-Z a-z 0-9 - _ . ~ $ & + : = @` becomes `%XX` (upper-case hex).
 * Not `encodeURIComponent`, which escapes `$&+:=@` and keeps `*!'()`.
 *
 * @example pathEscape('/users/:id') === '%2Fusers%2F:id'
 */
export function pathEscape(s: string): string {
  let out = '';
  for (const b of encoder.encode(s)) out += unescaped(b) ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`;
  return out;
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** What a subscription's id is made of; `path` and `method` are normalised as the server does (`/`, `POST`). */
export interface SubscriptionIdParts {
  readonly type: 'sync' | 'async';
  readonly eventType: string;
  /** Part of the id for async subscriptions only (one sync subscription per event type, path and method). */
  readonly functionId?: string;
  readonly path?: string;
  readonly method?: string;
}

/**
 * A subscription's id: base64url (no padding) of `async,<eventType>,<functionId>,<PathEscape(path)>,<METHOD>`, or
 * of `sync,<eventType>,<PathEscape(path)>,<METHOD>`.
 *
 * @example subscriptionId({ type: 'async', eventType: 'test.event', functionId: 'test' }) === 'YXN5bmMsdGVzdC5ldmVudCx0ZXN0LCUyRixQT1NU'
 */
export function subscriptionId(parts: SubscriptionIdParts): string {
  const rawPath = parts.path ?? '';
  const path = rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
  const method = (parts.method || 'POST').toUpperCase();
  const raw = parts.type === 'async'
    ? `async,${parts.eventType},${parts.functionId ?? ''},${pathEscape(path)},${method}`
    : `sync,${parts.eventType},${pathEscape(path)},${method}`;
  return base64url(encoder.encode(raw));
}

/**
 * A CORS configuration's id: the method (as given, not upper-cased) followed by the escaped path, e.g. `GET%2Fhello`.
 * It is used in URLs as is.
 */
export function corsId(method: string, path: string): string {
  return method + pathEscape(path);
}
