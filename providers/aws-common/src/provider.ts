/**
 * The shared body of the four AWS providers: options, config reading (cached per config object), one SDK client per
 * (region, credentials, endpoint), the per-call deadline and the error mapping. A service adds how to load its SDK
 * module, how to make its client and how to make one call (`AwsService`).
 *
 * The SDK module is loaded on the provider's first call (`loadSdk`, a dynamic `import()`), not at startup: a gateway
 * with no AWS function never loads it. Options and function configs are checked without it.
 */
import {
  encodeStructured,
  GatewayError,
  type Invocation,
  type InvokeResult,
  type Provider,
  type ProviderConfigValidator,
} from '@switchyard/core';
import { clientKey, readAwsFunctionConfig, type AwsFunctionSettings, type AwsFunctionType, type AwsStaticCredentials } from './config.ts';
import { callFailure } from './errors.ts';

/** Options every AWS provider takes. */
export interface AwsProviderOptions {
  /** Endpoint override for every call (e.g. LocalStack `http://localhost:4566`). Default: the SDK's (AWS, or `AWS_ENDPOINT_URL*`). */
  readonly endpoint?: string;
  /** The SDK's `maxAttempts` (1 = no SDK retries; the delivery queue retries async deliveries). Default 1. */
  readonly maxAttempts?: number;
  /** Deadline of a call in ms when the function sets no `timeout`. Default 5000. */
  readonly timeoutMs?: number;
  /** Most SDK clients kept (one per region, credentials and endpoint); the oldest is destroyed beyond it. Default 64. */
  readonly maxClients?: number;
}

/** What a service's client factory gets: the SDK client config. */
export interface AwsClientConfig {
  readonly region: string;
  readonly credentials?: AwsStaticCredentials;
  readonly endpoint?: string;
  readonly maxAttempts: number;
}

/** One call, as a service's `call` gets it. */
export interface AwsCall<P> {
  readonly functionId: string;
  readonly settings: AwsFunctionSettings;
  /** What the service prepared from the config (`prepare`). */
  readonly prepared: P;
  readonly invocation: Invocation;
  /** The body to send: the encoded event (structured CloudEvent in its spec version), or the invocation's payload. */
  readonly body: string;
  /** Aborts at the call's deadline; pass it to `client.send(command, { abortSignal })`. */
  readonly abortSignal: AbortSignal;
}

/**
 * What makes one AWS provider. `S` is the service's SDK module (or the part of it the service uses), loaded once per
 * provider by `loadSdk` on the first call and handed to `createClient` and `call`.
 */
export interface AwsService<C extends { destroy(): void }, P, S = unknown> {
  readonly type: AwsFunctionType;
  /** Loads the SDK module, e.g. `() => import('@aws-sdk/client-lambda')`; called on the first call, again only if it failed. */
  readonly loadSdk: () => Promise<S>;
  readonly createClient: (sdk: S, config: AwsClientConfig) => C;
  /** Service-specific fields of the config (e.g. a partition key expression); returns what `call` needs, or an error message. */
  readonly prepare: (config: Record<string, unknown>) => P | string;
  readonly call: (client: C, call: AwsCall<P>, sdk: S) => Promise<InvokeResult>;
  /** Expose the original's credential error messages to sync clients (Lambda). */
  readonly exposeAccessErrors?: boolean;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_CLIENTS = 64;

interface Prepared<P> {
  /** The config's own values when read: a config object changed in place is read again. */
  readonly values: readonly unknown[];
  readonly settings: AwsFunctionSettings | undefined;
  readonly prepared: P | undefined;
  readonly error: string | undefined;
  readonly key: string;
}

/** Throws `GW_ERR_PLUGIN_OPTIONS` unless `value` is a positive integer (or absent). */
export function positiveIntegerOption(owner: string, name: string, value: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > max) {
    throw new GatewayError('GW_ERR_PLUGIN_OPTIONS', `${owner}: ${name} must be a positive integer (at most ${max})`);
  }
  return value;
}

function endpointOption(owner: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new GatewayError('GW_ERR_PLUGIN_OPTIONS', `${owner}: endpoint must be an absolute http or https URL`);
  }
  return value as string;
}

/** A provider for one AWS service. Subclassed by each provider package with its `AwsService`. */
export class AwsProvider<C extends { destroy(): void }, P, S = unknown> implements Provider {
  readonly type: string;
  readonly #service: AwsService<C, P, S>;
  readonly #owner: string;
  readonly #endpoint: string | undefined;
  readonly #maxAttempts: number;
  readonly #timeoutMs: number;
  readonly #maxClients: number;
  readonly #clients = new Map<string, C>();
  #prepared = new WeakMap<object, Prepared<P>>();
  /** The SDK module once loaded; `#loading` while the first call loads it. */
  #sdk: S | undefined;
  #loading: Promise<S> | undefined;
  #closed = false;

  constructor(service: AwsService<C, P, S>, options: AwsProviderOptions = {}) {
    this.#service = service;
    this.type = service.type;
    const owner = `provider-${service.type}`;
    this.#owner = owner;
    if (typeof options !== 'object' || options === null) throw new GatewayError('GW_ERR_PLUGIN_OPTIONS', `${owner}: options must be an object`);
    this.#endpoint = endpointOption(owner, options.endpoint);
    this.#maxAttempts = positiveIntegerOption(owner, 'maxAttempts', options.maxAttempts, 1, 10);
    this.#timeoutMs = positiveIntegerOption(owner, 'timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS, 2_147_483_647);
    this.#maxClients = positiveIntegerOption(owner, 'maxClients', options.maxClients, DEFAULT_MAX_CLIENTS);
  }

  /** Checks a function's `provider` config; bound, so the gateway can call it detached. */
  readonly validate: ProviderConfigValidator = (config) => this.#read(config).error;

  /** How many SDK clients are open (one per region, credentials and endpoint). */
  get clientCount(): number {
    return this.#clients.size;
  }

  /** Whether the SDK module is loaded (by the first call). */
  get sdkLoaded(): boolean {
    return this.#sdk !== undefined;
  }

  async invoke(invocation: Invocation): Promise<InvokeResult> {
    const functionId = invocation.function.functionId;
    if (this.#closed) throw this.#closedError(functionId);
    const read = this.#prepare(invocation.function.provider);
    if (read.error !== undefined || read.settings === undefined) {
      throw new GatewayError('GW_ERR_FUNCTION_FAILED', `Function "${functionId}" call failed: ${read.error ?? 'invalid config'}`);
    }
    const settings = read.settings;
    let sdk = this.#sdk;
    if (sdk === undefined) {
      sdk = await this.#loadSdk(functionId);
      if (this.#closed) throw this.#closedError(functionId); // closed while loading: make no client
    }
    const client = this.#client(sdk, read.key, settings);
    const body = invocation.payload?.body ?? encodeStructured(invocation.event, invocation.specVersion).body;
    const timeoutMs = settings.timeout ?? this.#timeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await this.#service.call(client, { functionId, settings, prepared: read.prepared as P, invocation, body, abortSignal: controller.signal }, sdk);
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      throw callFailure(functionId, err, { exposeAccessErrors: this.#service.exposeAccessErrors === true, timedOut: controller.signal.aborted, timeoutMs });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Destroys every SDK client (closing their connections). Later calls are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const client of this.#clients.values()) client.destroy();
    this.#clients.clear();
    this.#prepared = new WeakMap();
  }

  #closedError(functionId: string): GatewayError {
    return new GatewayError('GW_ERR_FUNCTION_FAILED', `Function "${functionId}" call failed: the ${this.#owner} provider is closed`);
  }

  /** Loads the SDK module once (concurrent first calls share the load); a failed load is tried again by the next call. */
  async #loadSdk(functionId: string): Promise<S> {
    this.#loading ??= this.#service.loadSdk().then(
      (sdk) => (this.#sdk = sdk),
      (err: unknown) => {
        this.#loading = undefined;
        throw err;
      },
    );
    try {
      return await this.#loading;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new GatewayError('GW_ERR_FUNCTION_FAILED', `Function "${functionId}" call failed: the ${this.#owner} provider cannot load its AWS SDK: ${why}`, { cause: err });
    }
  }

  #prepare(config: Record<string, unknown>): Prepared<P> {
    if (typeof config !== 'object' || config === null) return this.#read({});
    const cached = this.#prepared.get(config);
    if (cached !== undefined && sameValues(cached.values, config)) return cached;
    const read = this.#read(config);
    this.#prepared.set(config, read);
    return read;
  }

  #read(config: Record<string, unknown>): Prepared<P> {
    const values = Object.entries(config).flat();
    const settings = readAwsFunctionConfig(this.#service.type, config);
    if (typeof settings === 'string') return { values, settings: undefined, prepared: undefined, error: settings, key: '' };
    const prepared = this.#service.prepare(config);
    if (typeof prepared === 'string') return { values, settings: undefined, prepared: undefined, error: prepared, key: '' };
    return { values, settings, prepared, error: undefined, key: clientKey(settings, this.#endpoint) };
  }

  #client(sdk: S, key: string, settings: AwsFunctionSettings): C {
    let client = this.#clients.get(key);
    if (client === undefined) {
      client = this.#service.createClient(sdk, {
        region: settings.region,
        maxAttempts: this.#maxAttempts,
        ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
        ...(this.#endpoint === undefined ? {} : { endpoint: this.#endpoint }),
      });
      if (this.#clients.size >= this.#maxClients) {
        const oldest = this.#clients.entries().next();
        if (!oldest.done) {
          this.#clients.delete(oldest.value[0]);
          oldest.value[1].destroy();
        }
      }
      this.#clients.set(key, client);
    }
    return client;
  }
}

/** Whether a config object still holds the values it held when read (its keys and values, in order). */
function sameValues(values: readonly unknown[], config: Record<string, unknown>): boolean {
  let i = 0;
  for (const key in config) {
    if (values[i] !== key || values[i + 1] !== config[key]) return false;
    i += 2;
  }
  return i === values.length;
}
