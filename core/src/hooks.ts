/**
 * The hook catalogue: every extension point of a gateway, in one frozen object (`gateway.hooks`). The table in
 * `core/README.md` mirrors it. Stage order per event: receive → auth → validation → transform → routing →
 * prepare (per target) → invoke (→ respond, for a sync call).
 */
import type Router from '@koa/router';
import { AsyncSeriesBailHook, AsyncSeriesHook, AsyncSeriesWaterfallHook, HookMap, SyncHook } from 'tapable';
import type {
  EventContext, HttpReply, IncomingRequest, Invocation, InvokeResult, ReceivedEvents, Routes,
} from './context.ts';
import type { CloudEvent } from './event.ts';
import type { GatewayError } from './errors.ts';
import type { ResourceByKind, ResourceKind } from './resources.ts';
import type { Delivery, DeliveryOutcome } from './queue.ts';
import type { StoreChange } from './store.ts';

/** Named stages for ordering taps (`{ name, stage: Stage.EARLY }`); lower runs first. Never rely on registration order. */
export const Stage = Object.freeze({
  FIRST: -1000,
  EARLY: -100,
  DEFAULT: 0,
  LATE: 100,
  /** Where core's own default taps sit (the request parser, …), so plugins run before them. */
  LAST: 1000,
});

/** A resource the Config API is about to store. */
export type ConfigResource = ResourceByKind[ResourceKind];

/** What the Config API was asked: the parsed request body holds any fields a plugin adds. */
export interface ConfigResourceInput {
  readonly kind: ResourceKind;
  readonly op: 'create' | 'update';
  readonly space: string;
  readonly body: Readonly<Record<string, unknown>>;
}

/** What happened to async deliveries, for observers (metrics, audit): one hook, a union by `kind`. */
export type DeliveryEvent =
  /** The queue stored these deliveries (the client gets its 202). */
  | { readonly kind: 'accepted'; readonly deliveries: readonly Delivery[] }
  /** The queue refused these deliveries (full: 429, unavailable: 503); none was stored. */
  | { readonly kind: 'refused'; readonly deliveries: readonly Delivery[]; readonly error: unknown }
  /** An attempt is about to call the function (`delivery.attempts` counts it: 1 is the first). */
  | { readonly kind: 'attempting'; readonly delivery: Delivery }
  /** One attempt finished. */
  | { readonly kind: 'attempted'; readonly delivery: Delivery; readonly outcome: DeliveryOutcome }
  /** A failed attempt will be retried after `delayMs`. */
  | { readonly kind: 'retrying'; readonly delivery: Delivery; readonly outcome: DeliveryOutcome & { ok: false }; readonly delayMs: number }
  /** The delivery exhausted its policy or was not retryable: it is kept as a dead letter. */
  | { readonly kind: 'deadLettered'; readonly delivery: Delivery; readonly outcome: DeliveryOutcome & { ok: false } };

export type InvokeHook = AsyncSeriesBailHook<[Invocation], InvokeResult | undefined>;

export function createHooks() {
  return Object.freeze({
    // ── lifecycle ──────────────────────────────────────────────────────────────────────────────────────────
    /** After the store, bus and queue are open, before the servers listen: connect, warm pools. @since 0.1.0 */
    start: new AsyncSeriesHook<[]>([], 'start'),
    /** After the servers stopped and the queue drained: disconnect. @since 0.1.0 */
    close: new AsyncSeriesHook<[]>([], 'close'),

    // ── stages, per event ──────────────────────────────────────────────────────────────────────────────────
    /** 1. Parse a request into events. First tap that returns wins; core's parser sits at `Stage.LAST`. @since 0.1.0 */
    receive: new AsyncSeriesBailHook<[IncomingRequest], ReceivedEvents | undefined>(['request'], 'receive'),
    /** 2. Authenticate and authorize; throw a `GatewayError` (401/403) to reject. @since 0.1.0 */
    auth: new AsyncSeriesHook<[EventContext]>(['ctx'], 'auth'),
    /** 3. Validate the event; throw a `GatewayError` (400) to reject. @since 0.1.0 */
    validation: new AsyncSeriesHook<[EventContext]>(['ctx'], 'validation'),
    /** 4. Event-level transform (normalise). Always return the event. @since 0.1.0 */
    transform: new AsyncSeriesWaterfallHook<[CloudEvent, EventContext]>(['event', 'ctx'], 'transform'),
    /** 5. Find the targets. Core's router fills them at `Stage.FIRST`; later taps may narrow them. Always return the routes. @since 0.1.0 */
    routing: new AsyncSeriesWaterfallHook<[Routes, EventContext]>(['routes', 'ctx'], 'routing'),
    /** 5b. Per target, before invoking or enqueuing: filter (set `skip`), authorize, transform the payload. Always return the invocation. @since 0.1.0 */
    prepare: new AsyncSeriesWaterfallHook<[Invocation, EventContext]>(['invocation', 'ctx'], 'prepare'),
    /** 6. Call a function; keyed by function type; a provider taps its own key. @since 0.1.0 */
    invoke: new HookMap<InvokeHook>((type) => new AsyncSeriesBailHook<[Invocation], InvokeResult | undefined>(['invocation'], `invoke:${String(type)}`)),
    /** 6b. Map a sync call's result to the HTTP reply. Core's mapping (reference §4.5) sits at `Stage.FIRST`. Always return the reply. @since 0.1.0 */
    respond: new AsyncSeriesWaterfallHook<[HttpReply, InvokeResult, Invocation]>(['reply', 'result', 'invocation'], 'respond'),

    // ── Configuration API ──────────────────────────────────────────────────────────────────────────────────
    /**
     * A resource about to be stored (create or update), after core's own validation. Check and add fields of your
     * own (read them from `input.body`); throw a `GatewayError` (400) to refuse. Always return the resource. @since 0.1.0
     */
    configResource: new AsyncSeriesWaterfallHook<[ConfigResource, ConfigResourceInput]>(['resource', 'input'], 'configResource'),
    /** The Config API's router, before core's routes: add routes or router middleware (API keys, tokens, metrics). @since 0.1.0 */
    configApi: new SyncHook<[Router]>(['router'], 'configApi'),

    // ── observers ──────────────────────────────────────────────────────────────────────────────────────────
    /** A system event is about to be published (space, event). Taps must not throw. @since 0.1.0 */
    systemEvent: new SyncHook<[string, CloudEvent]>(['space', 'event'], 'systemEvent'),
    /** Async deliveries accepted, refused, attempted, retrying or dead-lettered, whatever the queue. Taps must not throw. @since 0.1.0 */
    delivery: new SyncHook<[DeliveryEvent]>(['event'], 'delivery'),
    /**
     * A config store change was applied to this gateway's routing table (any gateway's write, seen through the store
     * watch; live changes carry `at`, when it was written). For metrics (watch lag). Taps must not throw. @since 0.1.0
     */
    configApplied: new SyncHook<[StoreChange]>(['change'], 'configApplied'),
    /** A request or event was rejected with this error. Taps must not throw. @since 0.1.0 */
    rejected: new SyncHook<[GatewayError, IncomingRequest]>(['error', 'request'], 'rejected'),
  });
}

export type GatewayHooks = ReturnType<typeof createHooks>;
