/**
 * CORS on the Events API, as rs/cors v1.2 did it for the original (reference §6). A preflight is answered here
 * (200, no body) and never reaches the pipeline; an actual request gets its headers and is processed whatever
 * CORS decides.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { CorsConfig } from '../resources.ts';
import { canonicalHeaderKey } from '../receive/index.ts';

export function isPreflight(method: string, headers: IncomingHttpHeaders): boolean {
  return method === 'OPTIONS' && typeof headers['access-control-request-method'] === 'string';
}

/** The headers of a preflight reply. */
export function preflightHeaders(cors: CorsConfig, headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = { vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' };
  const origin = headers.origin;
  const method = String(headers['access-control-request-method']).toUpperCase();
  const requested = String(headers['access-control-request-headers'] ?? '')
    .split(',').map((h) => h.trim()).filter((h) => h !== '').map(canonicalHeaderKey);
  if (origin === undefined || !originAllowed(cors, origin) || !methodAllowed(cors, method) || !headersAllowed(cors, requested)) return out;
  out['access-control-allow-origin'] = allowOrigin(cors, origin);
  out['access-control-allow-methods'] = method;
  if (requested.length > 0) out['access-control-allow-headers'] = requested.join(', ');
  if (cors.allowCredentials) out['access-control-allow-credentials'] = 'true';
  return out;
}

/** The headers added to an actual (non-preflight) request's reply. */
export function actualHeaders(cors: CorsConfig, method: string, headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = { vary: 'Origin' };
  const origin = headers.origin;
  if (origin === undefined || !originAllowed(cors, origin) || !methodAllowed(cors, method)) return out;
  out['access-control-allow-origin'] = allowOrigin(cors, origin);
  if (cors.allowCredentials) out['access-control-allow-credentials'] = 'true';
  return out;
}

function allowOrigin(cors: CorsConfig, origin: string): string {
  return cors.allowedOrigins.includes('*') && !cors.allowCredentials ? '*' : origin;
}

function originAllowed(cors: CorsConfig, origin: string): boolean {
  const o = origin.toLowerCase();
  return cors.allowedOrigins.some((entry) => {
    const allowed = entry.toLowerCase();
    if (allowed === '*') return true;
    const star = allowed.indexOf('*');
    if (star < 0) return allowed === o;
    const prefix = allowed.slice(0, star);
    const suffix = allowed.slice(star + 1);
    return o.length >= prefix.length + suffix.length && o.startsWith(prefix) && o.endsWith(suffix);
  });
}

function methodAllowed(cors: CorsConfig, method: string): boolean {
  return method === 'OPTIONS' || cors.allowedMethods.some((m) => m.toUpperCase() === method);
}

function headersAllowed(cors: CorsConfig, requested: readonly string[]): boolean {
  if (requested.length === 0 || cors.allowedHeaders.includes('*')) return true;
  const allowed = new Set(cors.allowedHeaders.map(canonicalHeaderKey));
  allowed.add('Origin');
  return requested.every((h) => allowed.has(h));
}
