/**
 * `Switchyard`: the typed client of both APIs. The Config API's collections are properties (`functions`,
 * `eventTypes`, `subscriptions`, `cors`, `apiKeys`, `deadLetters`) scoped to the client's space; `emit` and `call`
 * talk to the Events API. Only web-platform APIs are used (`fetch`, `AbortSignal`, `URL`, `Headers`,
 * `TextEncoder`, `crypto.randomUUID`), so it runs in Node ≥ 20 and in browsers.
 */
import { collections } from './config.ts';
import type { SpaceCollections } from './config.ts';
import { SwitchyardError } from './errors.ts';
import { decodeBody, encodeEvent } from './events.ts';
import type { EmitMode, EmittableEvent, ResponseType } from './events.ts';
import { mergeHeaders, Transport } from './http.ts';
import type { FetchLike, HeadersLike, RawReply, RequestOptions } from './http.ts';
import type { ConfigContext } from './resource.ts';

/**
 * How the Events API tells spaces apart, as the gateway is configured (core's `spaceStrategy`). Without one the
 * gateway routes globally and the client sends no space.
 */
export type SpaceStrategy =
  /** The space in a request header (default `x-switchyard-space`). */
  | { readonly kind: 'header'; readonly header?: string }
  /** The space as the first label of the host: `shop.events.example.com`. */
  | { readonly kind: 'host' }
  /** The space as the first path segment: `/shop/orders`. */
  | { readonly kind: 'path' };

export interface SwitchyardOptions {
  /** The Config API. Default `http://localhost:4001`. */
  readonly configUrl?: string;
  /** The Events API. Default `http://localhost:4000`. */
  readonly eventsUrl?: string;
  /** The space of every Config API call, and of events when a `spaceStrategy` is set. Default `default`. */
  readonly space?: string;
  /** Headers sent to both APIs. */
  readonly headers?: HeadersLike;
  /** An admin token (`@switchyard/plugin-auth` `adminTokens`): `Authorization: Bearer <token>` on Config API calls only. */
  readonly adminToken?: string;
  /** An API key (`sy_…`): `X-Api-Key: <key>` on Events API calls only. */
  readonly apiKey?: string;
  /** The `fetch` to use (undici's, a wrapper, a polyfill). Default: the global `fetch`. */
  readonly fetch?: FetchLike;
  /** Deadline of each call in ms (`AbortSignal.timeout`), overridable per call; `0` for none. Default 30 000. */
  readonly timeoutMs?: number;
  /** How the Events API is told the space (see `SpaceStrategy`). Default: none (global routing). */
  readonly spaceStrategy?: SpaceStrategy;
}

/** A reply of the Events API: its status, headers and body decoded (see `decodeBody`). */
export interface HttpReply<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON, text, bytes (`Uint8Array`), or `undefined` for an empty body. */
  readonly body: T;
}

/** Options of `emit`. */
export interface EmitOptions extends RequestOptions {
  /** Structured (default) or binary mode, for a single CloudEvents 1.0 event. */
  readonly mode?: EmitMode;
  /** The path to emit to (default `/`): a sync subscription's path, or an async subscription's exact path. */
  readonly path?: string;
  /** The HTTP method (default `POST`). */
  readonly method?: string;
  /** The space, instead of the client's (used with a `spaceStrategy`). */
  readonly space?: string;
  /** How to decode the reply body (default `auto`). */
  readonly responseType?: ResponseType;
}

/** Options of `call`. */
export interface CallOptions extends RequestOptions {
  /** Default `GET`. */
  readonly method?: string;
  /**
   * The request body: a string or bytes as they are; anything else as JSON (`Content-Type: application/json` unless
   * `headers` name one).
   */
  readonly body?: unknown;
  /** Query parameters; an array value repeats the parameter. */
  readonly query?: URLSearchParams | Readonly<Record<string, string | number | boolean | readonly string[]>>;
  /** The space, instead of the client's (used with a `spaceStrategy`). */
  readonly space?: string;
  /** How to decode the reply body (default `auto`). */
  readonly responseType?: ResponseType;
  /** Reject with a `SwitchyardError` when the status is 400 or above. Default `false`: the reply is returned. */
  readonly throwOnError?: boolean;
}

const DEFAULT_TIMEOUT_MS = 30_000;

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function withLeadingSlash(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}

/**
 * The typed client of Switchyard's Config API and Events API. The collections of its space (`eventTypes`,
 * `functions`, `subscriptions`, `cors`, `apiKeys`, `deadLetters`: see `SpaceCollections`) are its properties.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- the class and this interface merge: the collections are declared once, in `SpaceCollections`
export interface Switchyard extends SpaceCollections {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class Switchyard {
  /** The space this client's Config API calls address. */
  readonly space: string;
  readonly configUrl: string;
  readonly eventsUrl: string;
  readonly #options: SwitchyardOptions;
  readonly #transport: Transport;

  constructor(options: SwitchyardOptions = {}, transport?: Transport) {
    this.#options = options;
    this.space = options.space ?? 'default';
    this.configUrl = trimSlash(options.configUrl ?? 'http://localhost:4001');
    this.eventsUrl = trimSlash(options.eventsUrl ?? 'http://localhost:4000');
    const fetchFn: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
    this.#transport = transport ?? new Transport({ fetch: fetchFn, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    const ctx: ConfigContext = {
      transport: this.#transport,
      configUrl: this.configUrl,
      space: this.space,
      headers: (json) => this.#configHeaders(json),
    };
    Object.assign(this, collections(ctx));
  }

  /** The same client for another space (same URLs, headers, fetch and timeout). */
  withSpace(space: string): Switchyard {
    return new Switchyard({ ...this.#options, space }, this.#transport);
  }

  #configHeaders(json: boolean): Headers {
    const { headers, adminToken } = this.#options;
    return mergeHeaders(
      { accept: 'application/json' },
      json ? { 'content-type': 'application/json' } : undefined,
      headers,
      adminToken === undefined ? undefined : { authorization: `Bearer ${adminToken}` },
    );
  }

  // ---- Config API, outside spaces

  /** `GET /v1/spaces`: the spaces holding at least one resource, sorted. */
  async spaces(options?: RequestOptions): Promise<string[]> {
    const body = await this.#transport.json<{ spaces?: string[] }>({
      method: 'GET', url: `${this.configUrl}/v1/spaces`, headers: this.#configHeaders(false), expect: [200], options,
    });
    return body?.spaces ?? [];
  }

  /** `GET /v1/status`: resolves when the gateway is up; rejects (503) while it shuts down. */
  async status(options?: RequestOptions): Promise<void> {
    await this.#transport.send({ method: 'GET', url: `${this.configUrl}/v1/status`, headers: this.#configHeaders(false), expect: [200], options });
  }

  /** `GET /v1/metrics`: the Prometheus text exposition. */
  async metrics(options?: RequestOptions): Promise<string> {
    const reply = await this.#transport.send({
      method: 'GET', url: `${this.configUrl}/v1/metrics`, headers: mergeHeaders(this.#configHeaders(false), { accept: 'text/plain' }), expect: [200], options,
    });
    return new TextDecoder().decode(reply.bytes);
  }

  // ---- Events API

  /** The URL and headers of an Events API request, with the space strategy applied. */
  #eventsRequest(path: string, space: string | undefined, extra: HeadersLike | undefined): { url: URL; headers: Headers } {
    const url = new URL(this.eventsUrl);
    let routed = withLeadingSlash(path);
    const strategyHeaders: Record<string, string> = {};
    const strategy = this.#options.spaceStrategy;
    const target = space ?? this.space;
    if (strategy?.kind === 'path') routed = `/${encodeURIComponent(target)}${routed}`;
    else if (strategy?.kind === 'header') strategyHeaders[strategy.header ?? 'x-switchyard-space'] = target;
    else if (strategy?.kind === 'host') url.hostname = `${target}.${url.hostname}`;
    const q = routed.indexOf('?');
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${q < 0 ? routed : routed.slice(0, q)}`;
    if (q >= 0) url.search = routed.slice(q + 1);
    const { headers, apiKey } = this.#options;
    return {
      url,
      headers: mergeHeaders(headers, apiKey === undefined ? undefined : { 'x-api-key': apiKey }, strategyHeaders, extra),
    };
  }

  #reply<T>(raw: RawReply, method: string, url: string, responseType: ResponseType | undefined): HttpReply<T> {
    try {
      return { status: raw.status, headers: raw.headers, body: decodeBody(raw.bytes, raw.headers.get('content-type'), responseType) as T };
    } catch (cause) {
      throw new SwitchyardError({
        kind: 'http', method, url, status: raw.status, headers: raw.headers, cause, errors: [{ message: 'reply is not JSON' }],
      });
    }
  }

  /**
   * Emit an event to the Events API: one CloudEvents 1.0 event (structured by default, or `mode: 'binary'`), an
   * array of 1.0 events (a batch: delivered to async subscriptions only), or one 0.1 event (structured, for users of
   * the Serverless Event Gateway; functions receive it in 0.1). `id`/`eventID`, `time`/`eventTime` and the spec
   * version are filled when absent.
   *
   * Resolves with the reply: `202` with an empty body when the event was accepted for async delivery, or the sync
   * function's reply (status, headers, body) when a sync subscription matched. Rejects with a `SwitchyardError` for a
   * status of 400 or above (an invalid event, 401/403 from auth, 429/503 from a full queue, a failed function).
   */
  async emit<T = unknown>(event: EmittableEvent, options: EmitOptions = {}): Promise<HttpReply<T>> {
    const encoded = encodeEvent(event, options.mode);
    const method = options.method ?? 'POST';
    const { url, headers } = this.#eventsRequest(options.path ?? '/', options.space, encoded.headers);
    const raw = await this.#transport.send({ method, url: url.href, headers, body: encoded.body, options });
    return this.#reply<T>(raw, method, url.href, options.responseType);
  }

  /**
   * Call a function over HTTP through a sync subscription (an `http.request` event): `call('/users/42')`,
   * `call('/orders', { method: 'POST', body: { sku: 'a' } })`. Resolves with the function's reply: status, headers
   * and body (JSON parsed when the reply is JSON, else text or bytes). HTTP statuses do not reject unless
   * `throwOnError`; network failures, timeouts and aborts always do.
   */
  async call<T = unknown>(path: string, options: CallOptions = {}): Promise<HttpReply<T>> {
    const method = options.method ?? 'GET';
    let body: string | Uint8Array | undefined;
    let contentType: Record<string, string> | undefined;
    if (typeof options.body === 'string' || options.body instanceof Uint8Array) body = options.body;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      const named = options.headers !== undefined && mergeHeaders(options.headers).has('content-type');
      if (!named) contentType = { 'content-type': 'application/json' };
    }
    const { url, headers } = this.#eventsRequest(path, options.space, mergeHeaders(contentType, options.headers));
    if (options.query !== undefined) {
      const query = options.query instanceof URLSearchParams ? options.query : toSearchParams(options.query);
      query.forEach((value, name) => url.searchParams.append(name, value));
    }
    const raw = await this.#transport.send({
      method, url: url.href, headers, ...(body === undefined ? {} : { body }), options,
      ...(options.throwOnError ? {} : { expect: 'any' as const }),
    });
    return this.#reply<T>(raw, method, url.href, options.responseType);
  }
}

function toSearchParams(query: Readonly<Record<string, string | number | boolean | readonly string[]>>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (Array.isArray(value)) for (const v of value as readonly string[]) params.append(name, v);
    else params.append(name, String(value));
  }
  return params;
}
