/**
 * The plugin's options and their checks. Everything is checked in the constructor, so a wrong option fails at
 * boot with `GW_ERR_PLUGIN_OPTIONS`, never on the first request.
 */
import { GatewayError } from '@switchyard/core';

export const PLUGIN_NAME = 'RateLimitPlugin';

/** Who a bucket belongs to: the client's IP address, its API key, or the value of a request header. */
export type RateLimitKey = 'ip' | 'apiKey' | { readonly header: string };

/** A budget: a client may send `limit` events at once, and gets them back evenly over `intervalMs`. */
export interface RateLimit {
  /** Events per interval, and the largest burst. A positive integer. */
  readonly limit: number;
  /** The interval in ms. A positive integer. */
  readonly intervalMs: number;
}

/** A budget for the events of one space and/or one event type. */
export interface RateLimitRule extends RateLimit {
  /** Only events of this space (the space strategy's, or `default`). */
  readonly space?: string;
  /** Only events of this type (e.g. `order.created`, or `http.request` for plain HTTP calls). */
  readonly eventType?: string;
}

export interface RateLimitOptions extends RateLimit {
  /** Who is limited. Default `'ip'`. */
  readonly key?: RateLimitKey;
  /** Budgets for some spaces or event types; the first rule that matches an event applies, else the top-level one. */
  readonly rules?: readonly RateLimitRule[];
  /** Buckets kept in memory; past it the least recently used is forgotten. Default 10 000. */
  readonly maxClients?: number;
  /** A monotonic clock in ms (tests inject one). Default `performance.now`. */
  readonly clock?: () => number;
}

/** The options after the checks, with defaults filled in. */
export interface ResolvedOptions {
  readonly key: RateLimitKey;
  readonly rules: readonly RateLimitRule[];
  readonly fallback: RateLimit;
  readonly maxClients: number;
  readonly clock: () => number;
}

export const DEFAULT_MAX_CLIENTS = 10_000;

function fail(message: string): never {
  throw new GatewayError('GW_ERR_PLUGIN_OPTIONS', `${PLUGIN_NAME}: ${message}`);
}

function positiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) fail(`'${name}' must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

function optionalName(value: unknown, name: string): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value === '')) fail(`'${name}' must be a non-empty string`);
  return value;
}

function checkKey(key: unknown): RateLimitKey {
  if (key === undefined) return 'ip';
  if (key === 'ip' || key === 'apiKey') return key;
  if (typeof key === 'object' && key !== null && 'header' in key && typeof key.header === 'string' && /^[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(key.header)) {
    return { header: key.header.toLowerCase() };
  }
  return fail(`'key' must be 'ip', 'apiKey' or { header: '<header name>' }, got ${JSON.stringify(key)}`);
}

export function resolveOptions(options: RateLimitOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  const rules = options.rules ?? [];
  if (!Array.isArray(rules)) fail(`'rules' must be an array`);
  const checked = rules.map((rule: RateLimitRule, i): RateLimitRule => {
    if (typeof rule !== 'object' || rule === null) fail(`'rules[${i}]' must be an object`);
    const space = optionalName(rule.space, `rules[${i}].space`);
    const eventType = optionalName(rule.eventType, `rules[${i}].eventType`);
    if (space === undefined && eventType === undefined) fail(`'rules[${i}]' needs a 'space' or an 'eventType' (the top-level limit covers the rest)`);
    return {
      limit: positiveInteger(rule.limit, `rules[${i}].limit`),
      intervalMs: positiveInteger(rule.intervalMs, `rules[${i}].intervalMs`),
      ...(space === undefined ? {} : { space }),
      ...(eventType === undefined ? {} : { eventType }),
    };
  });
  if (options.clock !== undefined && typeof options.clock !== 'function') fail(`'clock' must be a function`);
  return {
    key: checkKey(options.key),
    rules: checked,
    fallback: { limit: positiveInteger(options.limit, 'limit'), intervalMs: positiveInteger(options.intervalMs, 'intervalMs') },
    maxClients: options.maxClients === undefined ? DEFAULT_MAX_CLIENTS : positiveInteger(options.maxClients, 'maxClients'),
    clock: options.clock ?? (() => performance.now()),
  };
}
