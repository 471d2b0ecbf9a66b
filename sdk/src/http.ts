/**
 * The transport: one `fetch` per call, with the client's headers, a deadline (`AbortSignal.timeout`) and the
 * caller's `AbortSignal`; replies read in full; failures turned into `SwitchyardError`s. Browser-safe (no `node:`).
 */
import { errorEntries, SwitchyardError } from './errors.ts';

/** A `fetch` function: the global one, undici's, or any wrapper with the same signature. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Request headers: a `Headers`, a record, or name/value pairs (the `HeadersLike` of the fetch standard). */
export type HeadersLike = Headers | Readonly<Record<string, string>> | readonly (readonly [string, string])[];

/** Per-call options, accepted as the last argument of every method. */
export interface RequestOptions {
  /** Abort the call (rejects with a `SwitchyardError` of kind `aborted`). */
  readonly signal?: AbortSignal;
  /** Deadline of this call in ms, instead of the client's `timeoutMs`; `0` for none. */
  readonly timeoutMs?: number;
  /** More request headers for this call (over the client's). */
  readonly headers?: HeadersLike;
}

/** A reply read in full. */
export interface RawReply {
  readonly status: number;
  readonly headers: Headers;
  readonly bytes: Uint8Array;
}

export interface TransportOptions {
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
}

/** What one call sends. */
export interface SendSpec {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  readonly body?: string | Uint8Array;
  /** Statuses that succeed (`'any'`: every status); others reject with kind `http`. Absent: any status below 400. */
  readonly expect?: readonly number[] | 'any';
  readonly options?: RequestOptions | undefined;
}

const decoder = new TextDecoder();

/** `a` and `b` as one signal (`AbortSignal.any` where available). */
function anySignal(signals: readonly AbortSignal[]): AbortSignal | undefined {
  if (signals.length <= 1) return signals[0];
  if (typeof AbortSignal.any === 'function') return AbortSignal.any([...signals]);
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}

/** Headers in order of precedence: later ones override earlier ones, name by name. */
export function mergeHeaders(...sources: (HeadersLike | undefined)[]): Headers {
  const out = new Headers();
  for (const source of sources) {
    if (source === undefined) continue;
    new Headers(source as ConstructorParameters<typeof Headers>[0]).forEach((value, name) => out.set(name, value));
  }
  return out;
}

export class Transport {
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;

  constructor(options: TransportOptions) {
    this.#fetch = options.fetch;
    this.#timeoutMs = options.timeoutMs;
  }

  /** One request; resolves with the whole reply when its status is expected, else rejects. */
  async send(spec: SendSpec): Promise<RawReply> {
    const { method, url, options } = spec;
    const timeoutMs = options?.timeoutMs ?? this.#timeoutMs;
    const timeout = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
    const signals = [options?.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const signal = anySignal(signals);
    const headers = mergeHeaders(spec.headers, options?.headers);
    let reply: RawReply;
    try {
      const res = await this.#fetch(url, {
        method,
        headers,
        ...(spec.body === undefined ? {} : { body: spec.body }),
        ...(signal ? { signal } : {}),
      });
      reply = { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
    } catch (cause) {
      const kind = timeout?.aborted ? 'timeout' : options?.signal?.aborted ? 'aborted' : 'network';
      const detail = kind === 'timeout'
        ? `no reply within ${timeoutMs} ms`
        : cause instanceof Error ? describe(cause) : String(cause);
      throw new SwitchyardError({ kind, method, url, errors: [{ message: detail }], cause });
    }
    const { expect } = spec;
    const ok = expect === 'any' || (expect ? expect.includes(reply.status) : reply.status < 400);
    if (!ok) {
      const text = decoder.decode(reply.bytes);
      throw new SwitchyardError({
        kind: 'http', method, url, status: reply.status, errors: errorEntries(text, reply.status), headers: reply.headers, body: text,
      });
    }
    return reply;
  }

  /** `send`, then the body parsed as JSON (`undefined` when empty). */
  async json<T>(spec: SendSpec): Promise<T> {
    const reply = await this.send(spec);
    const text = decoder.decode(reply.bytes);
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new SwitchyardError({
        kind: 'http', method: spec.method, url: spec.url, status: reply.status, headers: reply.headers, body: text, cause,
        errors: [{ message: `reply is not JSON: ${text.slice(0, 200)}` }],
      });
    }
  }
}

/** An error's message with its cause's (fetch's `TypeError: fetch failed` hides `ECONNREFUSED` in `cause`). */
function describe(err: Error): string {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error && cause.message && cause.message !== err.message ? `${err.message}: ${cause.message}` : err.message;
}
