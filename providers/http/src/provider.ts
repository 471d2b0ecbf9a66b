/**
 * The `http` provider (reference §3.2): POST the event to the function's URL and hand back the reply, whatever its
 * status. Core decides what counts as failure (a 500, as in the original).
 *
 * State is per instance: one undici `Pool` per origin (lazy, keep-alive), one parsed target per URL string, and one
 * prepared call per function config object, so a call does no URL parsing and almost no allocation of its own.
 */
import { Pool } from 'undici';
import {
  GatewayError,
  STRUCTURED_CONTENT_TYPE,
  encodeBinary,
  encodeStructured,
  providerPlugin,
  type GatewayPlugin,
  type Invocation,
  type InvokeResult,
  type Provider,
  type ProviderConfigValidator,
} from '@switchyard/core';
import { compileAllowList, effectivePort, type HostMatcher } from './allow-list.ts';
import { post } from './call.ts';
import { MISSING_URL, basicAuthorization, parseHttpUrl, readFunctionConfig, readFunctionOptions } from './config.ts';

export interface HttpProviderOptions {
  /** Default per-call deadline in ms, when the function sets no `timeout`. Default 5000, as the original. */
  readonly timeoutMs?: number;
  /** Largest reply body accepted, in bytes. Default 6 MiB. */
  readonly maxResponseBytes?: number;
  /** Connections per origin. Default 128. */
  readonly connections?: number;
  /** Idle time before a pooled connection is closed, in ms. Default: undici's (4000, or the server's hint). */
  readonly keepAliveTimeoutMs?: number;
  /** Host patterns a function URL may point at (`api.example.com`, `*.example.com`, `10.0.0.7:8080`). Default: any. */
  readonly allowHosts?: readonly string[];
  /** Requests pipelined per connection. Default 1 (no pipelining). */
  readonly pipelining?: number;
}

const TYPE = 'http';
const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_RESPONSE_BYTES = 6 * 1024 * 1024;
const DEFAULT_CONNECTIONS = 128;
/** Distinct function URLs kept parsed. */
const MAX_TARGETS = 10_000;

/** A function URL, parsed once per distinct string. */
interface Target {
  readonly origin: string;
  /** Path and query, as sent on the request line. */
  readonly path: string;
  /** Why the allow-list refuses this URL, or undefined. */
  readonly refusal: string | undefined;
  readonly authorization: string | undefined;
  pool: Pool | undefined;
}

/** A function config, read once per config object. The raw fields detect a changed config. */
interface Prepared {
  readonly rawUrl: unknown;
  readonly rawTimeout: unknown;
  readonly rawBinary: unknown;
  readonly rawHeaders: unknown;
  /** Why the config cannot be called, or undefined. */
  readonly error: string | undefined;
  readonly target: Target | undefined;
  readonly timeoutMs: number;
  readonly binary: boolean;
  /** Configured headers plus URL credentials; no content-type. */
  readonly base: Readonly<Record<string, string>>;
  readonly baseKeys: readonly string[];
  /** `base` plus the structured content type: the headers of the common call. */
  readonly structured: Readonly<Record<string, string>>;
}

function positiveInteger(value: unknown, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > max) {
    throw new GatewayError('GW_ERR_PLUGIN_OPTIONS', `provider-http: ${name} must be a positive integer (at most ${max})`);
  }
  return value;
}

function hostNotAllowed(url: URL): string {
  return `url host "${url.host}" is not in the allowed hosts of the HTTP provider`;
}

export class HttpProvider implements Provider {
  readonly type = TYPE;
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #poolOptions: Pool.Options;
  readonly #allow: HostMatcher | undefined;
  readonly #pools = new Map<string, Pool>();
  readonly #targets = new Map<string, Target>();
  #prepared = new WeakMap<object, Prepared>();
  #closed = false;

  constructor(options: HttpProviderOptions = {}) {
    this.#timeoutMs = positiveInteger(options.timeoutMs, 'timeoutMs', DEFAULT_TIMEOUT_MS, 2_147_483_647);
    this.#maxResponseBytes = positiveInteger(options.maxResponseBytes, 'maxResponseBytes', DEFAULT_MAX_RESPONSE_BYTES);
    const poolOptions: Pool.Options = {
      connections: positiveInteger(options.connections, 'connections', DEFAULT_CONNECTIONS),
      pipelining: positiveInteger(options.pipelining, 'pipelining', 1),
    };
    if (options.keepAliveTimeoutMs !== undefined) {
      poolOptions.keepAliveTimeout = positiveInteger(options.keepAliveTimeoutMs, 'keepAliveTimeoutMs', 0);
    }
    this.#poolOptions = poolOptions;
    this.#allow = options.allowHosts === undefined ? undefined : compileAllowList(options.allowHosts);
  }

  /** Checks a function's `provider` config; bound, so the gateway can call it detached. */
  readonly validate: ProviderConfigValidator = (config) => {
    const settings = readFunctionConfig(config);
    if (typeof settings === 'string') return settings;
    if (this.#allow !== undefined && !this.#allow(settings.url.hostname, effectivePort(settings.url))) return hostNotAllowed(settings.url);
    return undefined;
  };

  invoke(invocation: Invocation): Promise<InvokeResult> {
    const fn = invocation.function;
    if (this.#closed) return Promise.reject(new GatewayError('GW_ERR_FUNCTION_FAILED', `Function "${fn.functionId}" call failed: the HTTP provider is closed`));
    const prepared = this.#prepare(fn.provider);
    const target = prepared.target;
    if (prepared.error !== undefined || target === undefined) {
      return Promise.reject(new GatewayError('GW_ERR_FUNCTION_FAILED', `Function "${fn.functionId}" call failed: ${prepared.error ?? 'no target'}`));
    }
    const pool = target.pool ?? this.#poolFor(target);

    let headers: Readonly<Record<string, string>>;
    let body: string | Buffer;
    const payload = invocation.payload;
    if (payload !== undefined) {
      body = payload.body;
      headers = prepared.baseKeys.length === 0 ? { 'content-type': payload.contentType } : { ...prepared.base, 'content-type': payload.contentType };
    } else if (prepared.binary) {
      const encoded = encodeBinary(invocation.event);
      body = encoded.body;
      // The event's own ce-* attributes and content type win over configured headers.
      for (const name of prepared.baseKeys) if (encoded.headers[name] === undefined) encoded.headers[name] = prepared.base[name]!;
      headers = encoded.headers;
    } else {
      body = encodeStructured(invocation.event, invocation.specVersion).body;
      headers = prepared.structured;
    }
    return post(pool, target.path, headers, body, fn.functionId, prepared.timeoutMs, this.#maxResponseBytes);
  }

  /** Closes every pool, waiting for calls in flight. Later calls are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    this.#targets.clear();
    this.#prepared = new WeakMap();
    await Promise.all(pools.map((pool) => pool.close()));
  }

  #prepare(config: Record<string, unknown>): Prepared {
    // A config that skipped validation may be anything; the original would panic on a null one.
    if (typeof config !== 'object' || config === null) return this.#read({});
    const cached = this.#prepared.get(config);
    if (
      cached !== undefined &&
      cached.rawUrl === config['url'] &&
      cached.rawTimeout === config['timeout'] &&
      cached.rawBinary === config['binary'] &&
      cached.rawHeaders === config['headers']
    ) {
      return cached;
    }
    const prepared = this.#read(config);
    this.#prepared.set(config, prepared);
    return prepared;
  }

  #read(config: Record<string, unknown>): Prepared {
    const raw = { rawUrl: config['url'], rawTimeout: config['timeout'], rawBinary: config['binary'], rawHeaders: config['headers'] };
    const target = this.#target(raw.rawUrl);
    const options = readFunctionOptions(config);
    const error = target === undefined ? MISSING_URL : typeof options === 'string' ? options : target.refusal;
    if (error !== undefined || target === undefined || typeof options === 'string') {
      return { ...raw, error, target, timeoutMs: 0, binary: false, base: {}, baseKeys: [], structured: {} };
    }
    const base: Record<string, string> = { ...options.headers };
    if (target.authorization !== undefined && base['authorization'] === undefined) base['authorization'] = target.authorization;
    return {
      ...raw,
      error,
      target,
      timeoutMs: options.timeout ?? this.#timeoutMs,
      binary: options.binary,
      base,
      baseKeys: Object.keys(base),
      structured: { ...base, 'content-type': STRUCTURED_CONTENT_TYPE },
    };
  }

  /** The parsed target of a URL string, shared by every function with that URL; undefined for a bad URL. */
  #target(rawUrl: unknown): Target | undefined {
    if (typeof rawUrl !== 'string') return undefined;
    let target = this.#targets.get(rawUrl);
    if (target === undefined) {
      const url = parseHttpUrl(rawUrl);
      if (url === undefined) return undefined;
      const allowed = this.#allow === undefined || this.#allow(url.hostname, effectivePort(url));
      target = {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        refusal: allowed ? undefined : hostNotAllowed(url),
        authorization: basicAuthorization(url),
        pool: undefined,
      };
      if (this.#targets.size >= MAX_TARGETS) this.#targets.clear(); // bound the cache; pools stay
      this.#targets.set(rawUrl, target);
    }
    return target;
  }

  #poolFor(target: Target): Pool {
    let pool = this.#pools.get(target.origin);
    if (pool === undefined) {
      pool = new Pool(target.origin, this.#poolOptions);
      this.#pools.set(target.origin, pool);
    }
    target.pool = pool;
    return pool;
  }
}

/** The provider as a plugin: `gateway.use(httpProvider({ timeoutMs: 3000 }))`. */
export function httpProvider(options?: HttpProviderOptions): GatewayPlugin {
  return providerPlugin(new HttpProvider(options));
}
