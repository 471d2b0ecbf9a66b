/**
 * A function's `provider` configuration for type `http` (reference §3.2), read and checked once.
 *
 * `url` (required, absolute http/https URL), `timeout` (ms, optional), `binary` (optional boolean: CloudEvents
 * binary mode), `headers` (optional extra request headers).
 */

/** The original's message for a missing or unusable `url` (`providers/http/http.go`). */
export const MISSING_URL = 'missing required fields for HTTP endpoint';

/** The largest delay `setTimeout` honours (2^31 - 1 ms). */
export const MAX_TIMEOUT_MS = 2_147_483_647;

export interface FunctionOptions {
  readonly timeout: number | undefined;
  readonly binary: boolean;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>> | undefined;
}

export interface HttpFunctionSettings extends FunctionOptions {
  readonly url: URL;
}

/** RFC 9110 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Field values may not break the header block. */
const BAD_VALUE = /[\r\n\0]/;
/** Headers the gateway or the HTTP connection own. */
const RESERVED = new Set([
  'content-type',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'expect',
  'te',
  'trailer',
]);

/** An absolute http(s) URL with a host, or undefined. */
export function parseHttpUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return undefined;
  return url;
}

function readHeaders(value: unknown): Record<string, string> | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'headers must be an object of header names to string values';
  }
  const headers: Record<string, string> = {};
  for (const [name, headerValue] of Object.entries(value)) {
    if (!TOKEN.test(name)) return `headers: "${name}" is not a valid header name`;
    const lower = name.toLowerCase();
    if (RESERVED.has(lower)) return `headers: "${name}" is set by the gateway and cannot be configured`;
    if (typeof headerValue !== 'string') return `headers: the value of "${name}" must be a string`;
    if (BAD_VALUE.test(headerValue)) return `headers: the value of "${name}" must not contain CR, LF or NUL`;
    if (Object.hasOwn(headers, lower)) return `headers: "${name}" is given more than once`;
    headers[lower] = headerValue;
  }
  return headers;
}

/** The optional fields; returns them, or an error message for the Config API. */
export function readFunctionOptions(raw: Record<string, unknown>): FunctionOptions | string {
  // JSON `null` counts as absent for the optional fields.
  const timeout = raw['timeout'] ?? undefined;
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout <= 0 || timeout > MAX_TIMEOUT_MS)) {
    return `timeout must be a positive integer number of milliseconds (at most ${MAX_TIMEOUT_MS})`;
  }
  const binary = raw['binary'] ?? undefined;
  if (binary !== undefined && typeof binary !== 'boolean') return 'binary must be a boolean';

  let headers: Record<string, string> | undefined;
  if (raw['headers'] !== undefined && raw['headers'] !== null) {
    const read = readHeaders(raw['headers']);
    if (typeof read === 'string') return read;
    headers = read;
  }
  return { timeout, binary: binary === true, headers };
}

/** Reads the whole config; returns the settings, or an error message for the Config API. */
export function readFunctionConfig(config: unknown): HttpFunctionSettings | string {
  if (typeof config !== 'object' || config === null) return MISSING_URL;
  const raw = config as Record<string, unknown>;
  const url = parseHttpUrl(raw['url']);
  if (url === undefined) return MISSING_URL;
  const options = readFunctionOptions(raw);
  return typeof options === 'string' ? options : { url, ...options };
}

/** `Basic …` from the URL's user info, as Go's client sends it; undefined without user info. */
export function basicAuthorization(url: URL): string | undefined {
  if (url.username === '' && url.password === '') return undefined;
  const credentials = `${decode(url.username)}:${decode(url.password)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component;
  }
}
