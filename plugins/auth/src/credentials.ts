/**
 * Reading credentials from request headers: `Authorization: Bearer <token>` (the scheme is case-insensitive, as the
 * official SDK sends `bearer <key>`) and `X-Api-Key: <key>`.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Prefix of Switchyard API keys (`sy_<keyId>_<secret>`); a bearer token with it is an API key, not a JWT. */
export const API_KEY_PREFIX = 'sy_';

const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The bearer token of `Authorization`, or undefined when absent or another scheme. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const value = single(headers.authorization);
  if (value === undefined) return undefined;
  return BEARER.exec(value)?.[1];
}

/** Whether the request carries an `Authorization` header at all (any scheme). */
export function hasAuthorizationHeader(headers: IncomingHttpHeaders): boolean {
  return headers.authorization !== undefined;
}

/** The `X-Api-Key` header, trimmed; undefined when absent or empty. */
export function apiKeyHeader(headers: IncomingHttpHeaders): string | undefined {
  const value = single(headers['x-api-key'])?.trim();
  return value === '' ? undefined : value;
}

/** What a request presents: an API key candidate and a JWT candidate, split as the README's table says. */
export interface PresentedCredentials {
  readonly apiKey: string | undefined;
  readonly jwt: string | undefined;
}

/**
 * Split a request's credentials. `X-Api-Key` is always an API key. A bearer token is an API key when it starts with
 * `sy_` or when JWT is not configured; otherwise (JWT configured) it is a JWT. With API keys not configured, every
 * bearer token is a JWT candidate.
 */
export function presentedCredentials(headers: IncomingHttpHeaders, apiKeys: boolean, jwt: boolean): PresentedCredentials {
  const bearer = bearerToken(headers);
  const header = apiKeyHeader(headers);
  let apiKey = apiKeys ? header : undefined;
  let token: string | undefined;
  if (bearer !== undefined) {
    if (apiKeys && (bearer.startsWith(API_KEY_PREFIX) || !jwt)) apiKey ??= bearer;
    else if (jwt) token = bearer;
  }
  return { apiKey, jwt: token };
}
