/**
 * The data of an `http.request` event (reference §4.4).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { IncomingRequest } from '../context.ts';
import type { HttpRequestData } from '../event.ts';
import { normalizeBody, parseMediaType } from './media.ts';

/** Canonical names of common headers, so the hot path does not rebuild them. */
const COMMON_NAMES: ReadonlyMap<string, string> = new Map(
  [
    'Accept', 'Accept-Encoding', 'Accept-Language', 'Authorization', 'Cache-Control', 'Connection', 'Content-Length',
    'Content-Type', 'Cookie', 'Origin', 'Referer', 'User-Agent', 'X-Api-Key', 'X-Forwarded-For', 'X-Forwarded-Proto',
    'X-Forwarded-Host', 'X-Request-Id', 'Event', 'Pragma', 'Upgrade', 'Expect', 'If-None-Match', 'If-Modified-Since',
  ].map((name) => [name.toLowerCase(), name]),
);

/**
 * Go's `textproto.CanonicalMIMEHeaderKey` for a valid header name: the first letter and every letter after a `-`
 * upper-cased, the rest lower-cased (`x-api-key` → `X-Api-Key`, `ce-x-my-ext` → `Ce-X-My-Ext`).
 */
export function canonicalHeaderKey(name: string): string {
  const known = COMMON_NAMES.get(name);
  if (known !== undefined) return known;
  const lower = name.toLowerCase();
  let out = '';
  let start = 0;
  while (start <= lower.length) {
    let end = lower.indexOf('-', start);
    if (end === -1) end = lower.length;
    if (start > 0) out += '-';
    if (end > start) out += lower.charAt(start).toUpperCase() + lower.slice(start + 1, end);
    start = end + 1;
  }
  return out;
}

/** A header's value as Go's flattening sees it: several values joined with `, `. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  return value.join(', ');
}

/**
 * Request headers flattened as the original does (`{<Canonical-Name>: "v1, v2"}`). `Host` is not a header in Go
 * (it is `r.Host`), and Go's server removes `Transfer-Encoding`; both are left out, as are HTTP/2 pseudo-headers.
 */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    if (name === 'host' || name === 'transfer-encoding' || name.charCodeAt(0) === 0x3a /* : */) continue;
    const value = headerValue(headers[name]);
    if (value !== undefined) out[canonicalHeaderKey(name)] = value;
  }
  return out;
}

/** Builds the data from an already normalised body (the parser has parsed the media type once). */
export function buildHttpRequestData(
  request: IncomingRequest,
  params: Record<string, string> | null,
  body: unknown,
): HttpRequestData {
  return {
    headers: flattenHeaders(request.headers),
    query: { ...request.query },
    body,
    host: request.host,
    path: request.decodedPath,
    method: request.method,
    params,
  };
}

/**
 * `http.request` data (reference §4.4): flattened canonical headers (no Host), query values as arrays, the body
 * normalised per §4.3 with §19's fixes (any JSON value; `application/json; charset=utf-8` is JSON; a JSON body that
 * does not parse is kept as a UTF-8 string), the decoded path. `includeBody` false gives `body: null`, as the
 * original's authorizer payload (reference §5). Throws a 400 GatewayError for a malformed Content-Type.
 */
export function httpRequestData(
  request: IncomingRequest,
  params: Record<string, string> | null,
  includeBody = true,
): HttpRequestData {
  let body: unknown = null;
  if (includeBody) {
    body = request.body.length === 0
      ? ''
      : normalizeBody(request.body, parseMediaType(headerValue(request.headers['content-type'])), false);
  }
  return buildHttpRequestData(request, params, body);
}
