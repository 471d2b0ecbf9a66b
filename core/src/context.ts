/**
 * Per-request and per-event state. Nothing lives at module level: many gateways can run in one process.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { CloudEvent, SpecVersion } from './event.ts';
import type { FunctionConfig, Subscription } from './resources.ts';

/** An HTTP request on the Events API, read whole (body limit applied) before the pipeline runs. */
export interface IncomingRequest {
  readonly method: string;
  /** The raw (escaped) path, without the query: the routing path (reference §4.1). */
  readonly path: string;
  /** The decoded path, as `http.request` data carries it. */
  readonly decodedPath: string;
  readonly host: string;
  /** The peer's IP address (the socket's, not a proxy header), when known. @since 0.1.0 */
  readonly remoteAddress?: string;
  readonly headers: IncomingHttpHeaders;
  /** Query parameters; every value is an array (reference §4.4). */
  readonly query: Record<string, string[]>;
  readonly body: Buffer;
  /** The space chosen by the space strategy, when one is configured. */
  readonly space?: string;
}

/** What the receive stage makes of a request. */
export interface ReceivedEvents {
  readonly events: CloudEvent[];
  readonly specVersion: SpecVersion;
  /** A CloudEvents batch (`application/cloudevents-batch+json`): async delivery only. */
  readonly batch: boolean;
}

/**
 * Typed per-event state for plugins, extended by declaration merging:
 * `declare module '@switchyard/core' { interface EventState { principal?: string } }`
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- empty on purpose: plugins add members by declaration merging
export interface EventState {}

export interface EventContext {
  readonly request: IncomingRequest;
  /** The event as it moves through the stages; `transform` may replace it. */
  event: CloudEvent;
  readonly specVersion: SpecVersion;
  /** The space of the event: the space strategy's, or `default`. */
  readonly space: string;
  /** True when a space strategy scopes routing to `space`; false routes globally, as the original. */
  readonly spaceScoped: boolean;
  readonly state: EventState;
  readonly receivedAt: number;
}

/** A subscription matched by routing, with its function. */
export interface Route {
  readonly subscription: Subscription;
  readonly function: FunctionConfig;
  /** Path parameters of a sync match (`:name`, `*name`). */
  readonly params: Record<string, string> | null;
}

export interface Routes {
  sync: Route | undefined;
  async: Route[];
}

/** One call of one function. */
export interface Invocation {
  readonly space: string;
  readonly function: FunctionConfig;
  /** Absent for calls that are not deliveries (e.g. authorizers). */
  readonly subscription?: Subscription;
  readonly mode: 'sync' | 'async';
  /** What the function receives, unless `payload` is set. */
  event: CloudEvent;
  readonly specVersion: SpecVersion;
  /** A body to send instead of the encoded event (authorizer payloads). */
  payload?: { readonly contentType: string; readonly body: string };
  /** Set by a `prepare` tap to skip this target; the reason is reported. */
  skip?: string;
}

/** A function's reply, as the provider got it. */
export interface InvokeResult {
  /** The upstream status (HTTP), or 200 for providers without one. */
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** What the Events API sends back for a sync call. */
export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}
