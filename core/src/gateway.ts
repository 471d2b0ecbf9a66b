/**
 * The Gateway: a hook catalogue, the plugins applied to it, and the two servers. It holds no stage logic of its
 * own: that is in the pipeline and in core's default taps.
 *
 *   const gateway = new Gateway({ logger }).use(httpProvider());
 *   const { eventsUrl, configUrl } = await gateway.start({ eventsPort: 4000, configPort: 4001 });
 *   …
 *   await gateway.close();
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SystemBus } from './bus.ts';
import { DEFAULT_SUBJECT_PREFIX } from './bus.ts';
import { createConfigApp } from './config/app.ts';
import { DeadLetters } from './dead-letters.ts';
import { tapDefaults } from './defaults.ts';
import { MemoryBus } from './embedded/memory-bus.ts';
import { MemoryQueue } from './embedded/memory-queue.ts';
import { MemoryStore } from './embedded/memory-store.ts';
import { GatewayError, isGatewayError } from './errors.ts';
import type { SpecVersion } from './event.ts';
import type { Invocation, InvokeResult } from './context.ts';
import { SystemEventType } from './event.ts';
import type { DeliveryEvent, GatewayHooks } from './hooks.ts';
import { createHooks } from './hooks.ts';
import { createEventsApp } from './http/events-app.ts';
import type { SpaceStrategy } from './http/space.ts';
import { interceptTaps } from './interceptors.ts';
import { Invoker } from './invoke.ts';
import type { Logger } from './logger.ts';
import { consoleLogger } from './logger.ts';
import { Pipeline } from './pipeline.ts';
import type { GatewayPlugin } from './plugin.ts';
import { applyPlugin } from './plugin.ts';
import type { ProviderConfigValidator } from './provider.ts';
import type { Delivery, DeliveryOutcome, DeliveryQueue } from './queue.ts';
import { RoutingTable } from './routing/table.ts';
import type { ConfigStore } from './store.ts';
import { SystemEvents } from './system-events.ts';

import { VERSION } from './version.ts';

export interface GatewayOptions {
  /** Where resources live. Default: in memory. */
  readonly store?: ConfigStore;
  /** Async delivery. Default: in process, 100 workers, backlog 200. */
  readonly queue?: DeliveryQueue;
  /** Where system events are published. Default: in process. */
  readonly bus?: SystemBus;
  /** Default: warnings and errors to stderr as JSON. */
  readonly logger?: Logger;
  /** Largest request body on either API, in bytes. Default 1 MiB. */
  readonly bodyLimit?: number;
  /** Isolate spaces on the Events API. Default: none, routing is global as in the original. */
  readonly spaceStrategy?: SpaceStrategy;
  /** The CloudEvents version of events the gateway makes (`http.request`, system events). Default `1.0`. */
  readonly envelope?: SpecVersion;
  /** Prefix of system event subjects. Default `eventgateway`. */
  readonly subjectPrefix?: string;
  /** Plugins to apply, in order (same as calling `use` for each). */
  readonly plugins?: readonly GatewayPlugin[];
  /**
   * Loop protection: the largest `eventgatewayhops` an event may carry (a larger one is refused with 400), and the
   * deepest chain of system events made (one past it is not made). Default `DEFAULT_MAX_HOPS` (4).
   */
  readonly maxHops?: number;
}

/** Default `GatewayOptions.maxHops`. */
export const DEFAULT_MAX_HOPS = 4;

export interface ListenOptions {
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Default 4000; 0 picks a free port. */
  readonly eventsPort?: number;
  /** Default 4001; 0 picks a free port. */
  readonly configPort?: number;
}

export interface GatewayAddresses {
  readonly eventsUrl: string;
  readonly configUrl: string;
}

type State = 'new' | 'started' | 'closing' | 'closed';
type RequestHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

export { VERSION };

export class Gateway {
  static readonly version = VERSION;
  /** Every extension point; see the table in core/README.md. */
  readonly hooks: GatewayHooks = createHooks();
  /** Provider config validators by function type, filled by provider plugins; used by the Config API. */
  readonly providers = new Map<string, ProviderConfigValidator>();
  readonly store: ConfigStore;
  readonly queue: DeliveryQueue;
  readonly bus: SystemBus;
  readonly logger: Logger;
  readonly table: RoutingTable;
  readonly systemEvents: SystemEvents;
  /** Dead-lettered deliveries (kind `deadletters` in the store); served on the Config API. */
  readonly deadLetters: DeadLetters;
  readonly #options: GatewayOptions;
  readonly #pipeline: Pipeline;
  readonly #invoker: Invoker;
  readonly #applied = new Set<string>();
  readonly #servers: Server[] = [];
  #inflight = 0;
  #idle: (() => void) | undefined;
  #unwatch: (() => void) | undefined;
  #state: State = 'new';

  constructor(options: GatewayOptions = {}) {
    this.#options = options;
    this.logger = options.logger ?? consoleLogger({ name: 'switchyard' });
    this.store = options.store ?? new MemoryStore();
    this.queue = options.queue ?? new MemoryQueue({ logger: this.logger });
    this.bus = options.bus ?? new MemoryBus({ logger: this.logger });
    this.table = new RoutingTable({ scoped: options.spaceStrategy !== undefined, logger: this.logger });
    for (const hook of Object.values(this.hooks)) {
      if ('intercept' in hook && 'taps' in hook) interceptTaps(hook);
    }
    this.hooks.invoke.intercept({ factory: (_key, hook) => (interceptTaps(hook), hook) });
    let pipeline: Pipeline | undefined;
    const maxHops = options.maxHops ?? DEFAULT_MAX_HOPS;
    if (!Number.isSafeInteger(maxHops) || maxHops < 1) throw new RangeError(`Gateway: maxHops must be an integer of at least 1, got ${maxHops}`);
    this.systemEvents = new SystemEvents({
      hooks: this.hooks,
      bus: this.bus,
      logger: this.logger,
      envelope: options.envelope ?? '1.0',
      subjectPrefix: options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX,
      dispatch: (space, event) => pipeline?.dispatchSystemEvent(space, event),
      hasSubscriptions: (type) => this.table.hasRootSubscriptions(type),
      maxHops,
    });
    this.#invoker = new Invoker({ hooks: this.hooks, table: this.table, systemEvents: this.systemEvents, logger: this.logger });
    pipeline = new Pipeline({
      hooks: this.hooks, table: this.table, queue: this.queue, enqueue: this.#enqueue, invoker: this.#invoker, systemEvents: this.systemEvents, logger: this.logger, maxHops,
    });
    this.#pipeline = pipeline;
    this.deadLetters = new DeadLetters({ store: this.store, enqueue: this.#enqueue, logger: this.logger, newDelivery: (invocation) => pipeline.newDelivery(invocation) });
    tapDefaults(this.hooks, this.table, { envelope: options.envelope ?? '1.0', logger: this.logger });
    for (const plugin of options.plugins ?? []) this.use(plugin);
  }

  /** Apply a plugin. Only before `start`. Throws `GW_ERR_PLUGIN_*` when its metadata does not hold. */
  use(plugin: GatewayPlugin): this {
    if (this.#state !== 'new') throw new GatewayError('GW_ERR_ALREADY_STARTED', `Plugin "${plugin?.name}" cannot be added after start`);
    applyPlugin(this, plugin, this.#applied, VERSION);
    return this;
  }

  /**
   * Call a function through its provider, with the `function.*` system events (none when `invocation.payload` is
   * set, e.g. authorizer calls). Rejects with a `GatewayError` when there is no reply or the reply is a 5xx.
   */
  call(invocation: Invocation): Promise<InvokeResult> {
    return this.#invoker.call(invocation);
  }

  /** Names of the applied plugins, in order. */
  get plugins(): readonly string[] {
    return [...this.#applied];
  }

  /** True once `close` has begun: new requests get 503. */
  get draining(): boolean {
    return this.#state === 'closing' || this.#state === 'closed';
  }

  /** Open the store, bus and queue, run `start` taps, load routing, and listen. */
  async start(listen: ListenOptions = {}): Promise<GatewayAddresses> {
    if (this.#state !== 'new') throw new GatewayError('GW_ERR_ALREADY_STARTED', 'The gateway was already started');
    this.#state = 'started';
    const host = listen.host ?? '127.0.0.1';
    await this.store.open();
    await this.bus.open();
    await this.hooks.start.promise();
    this.#unwatch = await this.store.watch((change) => {
      this.table.apply(change);
      if (this.hooks.configApplied.taps.length === 0) return;
      try {
        this.hooks.configApplied.call(change);
      } catch (err) {
        this.logger.error({ err }, 'configApplied tap threw; taps must not throw');
      }
    });
    const deliver = async (delivery: Delivery): Promise<DeliveryOutcome> => {
      this.#observe({ kind: 'attempting', delivery });
      const outcome = await this.#invoker.deliver(delivery);
      this.#observe({ kind: 'attempted', delivery, outcome });
      return outcome;
    };
    await this.queue.start(deliver, {
      retrying: (d, outcome, delayMs) => {
        this.#observe({ kind: 'retrying', delivery: d, outcome, delayMs });
        this.systemEvents.publish(d.space, SystemEventType.DELIVERY_RETRIED, { ...deliveryReport(d, outcome), delayMs }, d.event);
      },
      deadLettered: (d, outcome) => {
        this.#observe({ kind: 'deadLettered', delivery: d, outcome });
        this.logger.error({ deliveryId: d.id, functionId: d.functionId, attempts: d.attempts, reason: outcome.reason }, 'delivery dead-lettered');
        this.deadLetters.record(d, outcome);
        // A dead-lettered delivery of a `delivery.*` event is kept, but not announced: that could only loop
        // (see "Loop protection" in core/README.md).
        if (d.event.type === SystemEventType.DELIVERY_DEAD_LETTERED || d.event.type === SystemEventType.DELIVERY_RETRIED) return;
        this.systemEvents.publish(d.space, SystemEventType.DELIVERY_DEAD_LETTERED, { ...deliveryReport(d, outcome), deadLetterId: d.id }, d.event);
      },
    });
    const bodyLimit = this.#options.bodyLimit ?? 1024 * 1024;
    const events = createEventsApp({
      pipeline: this.#pipeline, table: this.table, hooks: this.hooks, logger: this.logger, bodyLimit,
      isDraining: () => this.draining,
      ...(this.#options.spaceStrategy ? { spaceStrategy: this.#options.spaceStrategy } : {}),
    });
    const config = createConfigApp({
      store: this.store, providers: this.providers, logger: this.logger, bodyLimit, isDraining: () => this.draining,
      extend: (router) => this.hooks.configApi.call(router),
      extendResource: (resource, input) => this.hooks.configResource.promise(resource, input),
      deadLetters: this.deadLetters,
    });
    const eventsUrl = await this.#listen(events.callback(), host, listen.eventsPort ?? 4000, true);
    const configUrl = await this.#listen(config.callback(), host, listen.configPort ?? 4001, false);
    return { eventsUrl, configUrl };
  }

  /**
   * Graceful stop: new Events API requests get 503 at once; in-flight requests finish; the queue drains (a
   * durable queue keeps what is left for the next start); then `close` taps run and everything is closed.
   */
  async close(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    const started = this.#state === 'started';
    this.#state = 'closing';
    const timeoutMs = options.timeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    if (started) {
      await this.#requestsDone(timeoutMs);
      await this.queue.close({ drain: true, timeoutMs: Math.max(0, deadline - Date.now()) });
      await this.deadLetters.flush();
      this.#unwatch?.();
      await Promise.all(this.#servers.map((server) => new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })));
      await this.hooks.close.promise();
      await this.bus.close();
      await this.store.close();
    }
    this.#state = 'closed';
  }

  /** Every enqueue goes through here, so the `delivery` hook sees what the queue accepted or refused. */
  readonly #enqueue = async (deliveries: readonly Delivery[]): Promise<void> => {
    try {
      await this.queue.enqueue(deliveries);
    } catch (error) {
      this.#observe({ kind: 'refused', deliveries, error });
      // A 5xx is hidden by default; this one is the client's cue to retry, so say so (the cause goes to the log).
      if (isGatewayError(error) && error.code === 'GW_ERR_QUEUE_UNAVAILABLE' && !error.expose) {
        this.logger.warn({ err: error }, 'delivery queue unavailable');
        throw new GatewayError('GW_ERR_QUEUE_UNAVAILABLE', 'Service Unavailable: the event could not be stored for delivery; retry later.', {
          expose: true, headers: error.headers, cause: error,
        });
      }
      throw error;
    }
    this.#observe({ kind: 'accepted', deliveries });
  };

  #observe(event: DeliveryEvent): void {
    if (this.hooks.delivery.taps.length === 0) return;
    try {
      this.hooks.delivery.call(event);
    } catch (err) {
      this.logger.error({ err, kind: event.kind }, 'delivery tap threw; taps must not throw');
    }
  }

  #listen(handler: RequestHandler, host: string, port: number, counted: boolean): Promise<string> {
    const server = createServer(counted ? (req, res) => {
      this.#inflight++;
      res.once('close', () => {
        if (--this.#inflight === 0) this.#idle?.();
      });
      void handler(req, res);
    } : handler);
    server.keepAliveTimeout = 65_000;
    this.#servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const address = server.address() as AddressInfo;
        const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
        resolve(`http://${shown}:${address.port}`);
      });
    });
  }

  #requestsDone(timeoutMs: number): Promise<void> {
    if (this.#inflight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.logger.warn({ inflight: this.#inflight }, 'requests still in flight at shutdown timeout');
        resolve();
      }, timeoutMs);
      this.#idle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** The data of `delivery.retried` and `delivery.deadLettered` system events. */
function deliveryReport(d: Delivery, outcome: DeliveryOutcome & { ok: false }): Record<string, unknown> {
  return {
    space: d.space, subscriptionId: d.subscriptionId, functionId: d.functionId, deliveryId: d.id, eventId: d.event.id, eventType: d.event.type,
    attempts: d.attempts, reason: outcome.reason, ...(outcome.status === undefined ? {} : { status: outcome.status }),
  };
}
