/**
 * The `nats` provider: functions served as NATS services. An invocation is one NATS request–reply on the function's
 * subject: the encoded event as the payload (structured CloudEvents JSON by default, as the http provider sends it),
 * its content type and CloudEvents attributes as NATS headers. The reply is the function's reply.
 *
 * A NATS micro-service error reply (`Nats-Service-Error-Code` / `Nats-Service-Error` headers, as
 * `@nats-io/services` sets them) becomes a reply with that status, so a 5xx counts as a failure by core's rules.
 */
import { connect, errors, headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection, type ConnectionOptions } from '@nats-io/transport-node';
import {
  GatewayError,
  STRUCTURED_CONTENT_TYPE,
  encodeBinary,
  encodeStructured,
  providerPlugin,
  type Gateway,
  type GatewayPlugin,
  type Invocation,
  type InvokeResult,
  type Logger,
  type Provider,
  type ProviderConfigValidator,
} from '@switchyard/core';
import { MAX_TIMEOUT_MS, readFunctionConfig, type NatsFunctionSettings } from './config.ts';
import { connectionOptions, type NatsConnectionSettings } from './connect.ts';

export interface NatsProviderOptions extends NatsConnectionSettings {
  /** Deadline of a request in ms, when the function sets no `timeout`. Default 5000. */
  readonly timeoutMs?: number;
  /** Where connection trouble is logged. Default: the gateway's logger (with `natsProvider()`), else none. */
  readonly logger?: Logger;
}

/** The header names of a NATS micro-service error reply (`@nats-io/services`). */
export const SERVICE_ERROR_CODE = 'Nats-Service-Error-Code';
export const SERVICE_ERROR = 'Nats-Service-Error';

const TYPE = 'nats';
const NAME = 'provider-nats';
const DEFAULT_TIMEOUT_MS = 5000;

/** A config object read once (`WeakMap` by object), with its problem if any. */
type Prepared = NatsFunctionSettings | string;

function failed(functionId: string, why: string, options: { status?: number; cause?: unknown } = {}): GatewayError {
  return new GatewayError('GW_ERR_FUNCTION_FAILED', `Function "${functionId}" call failed: ${why}`, options);
}

/** Which kind of request error this is (nats.js wraps the specific one in a `RequestError` as `cause`). */
function requestFailure(err: unknown): 'timeout' | 'noResponders' | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth += 1) {
    if (e instanceof errors.TimeoutError) return 'timeout';
    if (e instanceof errors.NoRespondersError) return 'noResponders';
    if (e instanceof errors.RequestError && e.isNoResponders()) return 'noResponders';
  }
  return undefined;
}

/** NATS headers as a reply's headers: names lower-cased, repeated values joined with ", ". */
function replyHeaders(hdrs: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (hdrs === undefined) return out;
  for (const name of hdrs.keys()) {
    const lower = name.toLowerCase();
    const values = hdrs.values(name);
    out[lower] = out[lower] === undefined ? values.join(', ') : `${out[lower]}, ${values.join(', ')}`;
  }
  return out;
}

/** The reply's status: 200, or the service error code (a valid HTTP-like status; anything else counts as 500). */
function replyStatus(headers: Readonly<Record<string, string>>): number {
  const code = headers[SERVICE_ERROR_CODE.toLowerCase()];
  if (code === undefined) return 200;
  const status = Number(code);
  return Number.isInteger(status) && status >= 100 && status <= 599 ? status : 500;
}

/** A reply message as an `InvokeResult`. */
export function toResult(msg: Msg): InvokeResult {
  const headers = replyHeaders(msg.headers);
  // A copy: the payload may be a view into a buffer the client owns.
  return { status: replyStatus(headers), headers, body: Buffer.from(msg.data) };
}

export class NatsProvider implements Provider {
  readonly type = TYPE;
  readonly #connectionOptions: () => ConnectionOptions;
  readonly #timeoutMs: number;
  readonly #logger: Logger | undefined;
  #prepared = new WeakMap<object, Prepared>();
  #nc: NatsConnection | undefined;
  #state: 'new' | 'started' | 'closed' = 'new';

  constructor(options: NatsProviderOptions) {
    if (typeof options !== 'object' || options === null) throw new GatewayError('GW_ERR_PLUGIN_OPTIONS', 'provider-nats: options with servers are required');
    this.#connectionOptions = connectionOptions(options);
    const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(timeout) || timeout <= 0 || timeout > MAX_TIMEOUT_MS) {
      throw new GatewayError('GW_ERR_PLUGIN_OPTIONS', `provider-nats: timeoutMs must be a positive integer (at most ${MAX_TIMEOUT_MS})`);
    }
    this.#timeoutMs = timeout;
    this.#logger = options.logger;
  }

  /** Checks a function's `provider` config; bound, so the gateway can call it detached. */
  readonly validate: ProviderConfigValidator = (config) => {
    const settings = readFunctionConfig(config);
    return typeof settings === 'string' ? settings : undefined;
  };

  /** Connects to NATS (the gateway's `start` hook). Rejects when no server can be reached. */
  async start(): Promise<void> {
    if (this.#state !== 'new') return;
    this.#nc = await connect(this.#connectionOptions());
    this.#state = 'started';
    const nc = this.#nc;
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.#logger?.warn({ server: s.server }, 'provider-nats: NATS disconnected; reconnecting');
        else if (s.type === 'reconnect') this.#logger?.info({ server: s.server }, 'provider-nats: NATS reconnected');
        else if (s.type === 'error') this.#logger?.error({ err: s.error }, 'provider-nats: NATS error');
      }
    })().catch(() => undefined);
  }

  /** Drains the connection: replies to requests in flight still arrive (the gateway's `close` hook). */
  async close(): Promise<void> {
    const nc = this.#nc;
    this.#state = 'closed';
    this.#nc = undefined;
    this.#prepared = new WeakMap();
    if (nc !== undefined && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }

  async invoke(invocation: Invocation): Promise<InvokeResult> {
    const fn = invocation.function;
    const nc = this.#nc;
    if (nc === undefined) throw failed(fn.functionId, this.#state === 'closed' ? 'the NATS provider is closed' : 'the NATS provider is not started (start the gateway first)');
    const settings = this.#prepare(fn.provider);
    if (typeof settings === 'string') throw failed(fn.functionId, settings);

    const hdrs = natsHeaders();
    let body: string | Buffer;
    const payload = invocation.payload;
    if (payload !== undefined) {
      body = payload.body;
      hdrs.set('content-type', payload.contentType);
    } else {
      // The CloudEvents attributes go in headers in both modes, so a service can route or filter without parsing.
      const binary = encodeBinary(invocation.event);
      for (const [name, value] of Object.entries(binary.headers)) hdrs.set(name, value);
      if (settings.binary) {
        body = binary.body;
      } else {
        body = encodeStructured(invocation.event, invocation.specVersion).body;
        hdrs.set('content-type', STRUCTURED_CONTENT_TYPE);
      }
    }
    const timeout = settings.timeout ?? this.#timeoutMs;
    let msg: Msg;
    try {
      msg = await nc.request(settings.subject, body, { timeout, headers: hdrs });
    } catch (err) {
      const kind = requestFailure(err);
      if (kind === 'timeout') {
        throw new GatewayError('GW_ERR_FUNCTION_TIMEOUT', `Function "${fn.functionId}" timed out after ${timeout} ms waiting for a reply on NATS subject "${settings.subject}"`, { cause: err });
      }
      if (kind === 'noResponders') {
        throw failed(fn.functionId, `no responders on NATS subject "${settings.subject}" (503 Service Unavailable: no service is listening)`, { status: 503, cause: err });
      }
      throw failed(fn.functionId, `NATS request on "${settings.subject}" failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return toResult(msg);
  }

  #prepare(config: Record<string, unknown>): Prepared {
    if (typeof config !== 'object' || config === null) return readFunctionConfig(config);
    let prepared = this.#prepared.get(config);
    if (prepared === undefined) {
      prepared = readFunctionConfig(config);
      this.#prepared.set(config, prepared);
    }
    return prepared;
  }
}

/** The provider as a plugin: `gateway.use(natsProvider({ servers: 'nats://127.0.0.1:4222' }))`. */
export function natsProvider(options: NatsProviderOptions): GatewayPlugin {
  const provider = (gateway: Gateway): NatsProvider => new NatsProvider({ ...options, logger: options?.logger ?? gateway.logger });
  // Options are checked now, so a bad one fails where the plugin is made, not at `use`.
  new NatsProvider(options);
  return {
    name: NAME,
    apply(gateway: Gateway): void {
      providerPlugin(provider(gateway), NAME).apply(gateway);
    },
  };
}
