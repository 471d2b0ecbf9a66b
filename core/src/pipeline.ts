/**
 * The pipeline: one request through receive → auth → validation → transform → routing → prepare → invoke.
 * Nothing else lives here: each stage is a hook, and core's own behaviour is taps on them (see `defaults.ts`).
 */
import { randomUUID } from 'node:crypto';
import type { EventContext, HttpReply, IncomingRequest, Invocation, Route, Routes } from './context.ts';
import { FUNCTION_CALL_FAILED, GatewayError, isGatewayError } from './errors.ts';
import type { CloudEvent, SpecVersion } from './event.ts';
import { HTTP_REQUEST_EVENT, hopsOf, isRecord, isSystemEventType, SystemEventType } from './event.ts';
import type { GatewayHooks } from './hooks.ts';
import type { Invoker } from './invoke.ts';
import type { Logger } from './logger.ts';
import type { Delivery, DeliveryQueue } from './queue.ts';
import { DEFAULT_RETRY_POLICY, mergeRetryPolicy } from './queue.ts';
import { wireEvent } from './encode.ts';
import { flattenHeaders } from './receive/index.ts';
import type { RoutingTable } from './routing/table.ts';
import type { SystemEvents } from './system-events.ts';

export const DEFAULT_SPACE = 'default';

export interface PipelineDeps {
  readonly hooks: GatewayHooks;
  readonly table: RoutingTable;
  readonly queue: DeliveryQueue;
  /** Enqueue through the gateway, so the `delivery` hook sees what was accepted or refused. */
  readonly enqueue: (deliveries: readonly Delivery[]) => Promise<void>;
  readonly invoker: Invoker;
  readonly systemEvents: SystemEvents;
  readonly logger: Logger;
  /** Loop protection: events carrying a larger `eventgatewayhops` are refused with 400. */
  readonly maxHops: number;
}

const ACCEPTED: Readonly<HttpReply> = Object.freeze({ status: 202, headers: {}, body: '' });

export class Pipeline {
  readonly #deps: PipelineDeps;

  constructor(deps: PipelineDeps) {
    this.#deps = deps;
  }

  /** Handle one Events API request. Throws `GatewayError`s, which the HTTP layer maps to JSON replies. */
  async handle(request: IncomingRequest): Promise<HttpReply> {
    const { hooks } = this.#deps;
    const received = await hooks.receive.promise(request);
    if (received === undefined) throw new GatewayError('GW_ERR_BAD_REQUEST', 'The request could not be read as an event');
    for (const event of received.events) {
      if (isSystemEventType(event.type)) {
        throw new GatewayError('GW_ERR_SYSTEM_EVENT', `Event type "${event.type}" is reserved for system events and cannot be emitted.`);
      }
      const hops = hopsOf(event);
      if (hops > this.#deps.maxHops) {
        this.#deps.logger.warn({ eventId: event.id, type: event.type, hops, maxHops: this.#deps.maxHops }, 'event refused: maximum hop count exceeded (loop protection)');
        throw new GatewayError('GW_ERR_LOOP', `Event exceeded the maximum hop count of ${this.#deps.maxHops} (loop protection)`, { status: 400 });
      }
    }
    const deliveries: Delivery[] = [];
    let sync: { route: Route; ctx: EventContext } | undefined;
    for (const event of received.events) {
      const ctx = this.#context(request, event, received.specVersion);
      const routes = await this.#route(ctx);
      for (const route of routes.async) {
        const invocation = await this.#prepare(route, 'async', ctx);
        if (invocation.skip === undefined) deliveries.push(this.newDelivery(invocation));
        else this.#deps.logger.debug({ subscriptionId: route.subscription.subscriptionId, reason: invocation.skip }, 'delivery skipped');
      }
      // A batch is delivered asynchronously only: one HTTP reply cannot carry several function replies.
      if (!received.batch && routes.sync) sync = { route: routes.sync, ctx };
    }
    if (deliveries.length > 0) await this.#deps.enqueue(deliveries);
    return sync ? this.#callSync(sync.route, sync.ctx) : { ...ACCEPTED, headers: {} };
  }

  /** Deliver a system event to the async subscriptions of its type on `POST /` (reference §8). */
  dispatchSystemEvent = (space: string, event: CloudEvent): void => {
    const { table, logger } = this.#deps;
    const deliveries: Delivery[] = [];
    for (const subscription of table.async(space, 'POST', '/', event.type)) {
      const fn = table.function(subscription.space, subscription.functionId);
      if (fn) deliveries.push(this.newDelivery({ space: subscription.space, function: fn, subscription, mode: 'async', event, specVersion: specVersionOf(event) }));
    }
    if (deliveries.length === 0) return;
    this.#deps.enqueue(deliveries).catch((err: unknown) => {
      logger.error({ err, type: event.type, deliveries: deliveries.length }, 'system event deliveries refused by the queue');
    });
  };

  #context(request: IncomingRequest, event: CloudEvent, specVersion: SpecVersion): EventContext {
    return {
      request,
      event,
      specVersion,
      space: request.space ?? DEFAULT_SPACE,
      spaceScoped: request.space !== undefined,
      state: {},
      receivedAt: Date.now(),
    };
  }

  async #route(ctx: EventContext): Promise<Routes> {
    const { hooks, systemEvents } = this.#deps;
    const { request } = ctx;
    const received = ctx.event;
    systemEvents.publish(ctx.space, SystemEventType.EVENT_RECEIVED, () => ({
      path: request.path,
      event: wireEvent(received, ctx.specVersion),
      headers: flattenHeaders(request.headers),
    }), received);
    await hooks.auth.promise(ctx);
    await hooks.validation.promise(ctx);
    ctx.event = await hooks.transform.promise(ctx.event, ctx);
    return hooks.routing.promise({ sync: undefined, async: [] }, ctx);
  }

  #prepare(route: Route, mode: 'sync' | 'async', ctx: EventContext): Promise<Invocation> {
    let event = ctx.event;
    if (mode === 'sync' && event.type === HTTP_REQUEST_EVENT && route.params !== null && isRecord(event.data)) {
      event = { ...event, data: { ...event.data, params: route.params } };
    }
    const invocation: Invocation = { space: route.subscription.space, function: route.function, subscription: route.subscription, mode, event, specVersion: ctx.specVersion };
    return this.#deps.hooks.prepare.promise(invocation, ctx);
  }

  async #callSync(route: Route, ctx: EventContext): Promise<HttpReply> {
    const { hooks, invoker } = this.#deps;
    const invocation = await this.#prepare(route, 'sync', ctx);
    if (invocation.skip !== undefined) throw new GatewayError('GW_ERR_FORBIDDEN', invocation.skip);
    let result;
    try {
      result = await invoker.call(invocation);
    } catch (cause) {
      // A provider may expose its message on purpose (the original's distinct AWS credential messages); else the generic one.
      const message = isGatewayError(cause) && cause.expose ? cause.message : FUNCTION_CALL_FAILED;
      throw new GatewayError('GW_ERR_FUNCTION_FAILED', message, { expose: true, cause });
    }
    return hooks.respond.promise({ status: 200, headers: {}, body: '' }, result, invocation);
  }

  /**
   * A fresh delivery of an invocation: new id, no attempts yet, and the subscription's `retryPolicy` (if it has one)
   * merged over the queue's default policy.
   */
  newDelivery(invocation: Invocation): Delivery {
    const own = invocation.subscription?.retryPolicy;
    const retryPolicy = own === undefined ? undefined : mergeRetryPolicy(this.#deps.queue.defaultRetryPolicy ?? DEFAULT_RETRY_POLICY, own);
    return { ...newDelivery(invocation), ...(retryPolicy ? { retryPolicy } : {}) };
  }
}

function newDelivery(invocation: Invocation): Delivery {
  return {
    id: randomUUID(),
    space: invocation.space,
    subscriptionId: invocation.subscription?.subscriptionId ?? '',
    functionId: invocation.function.functionId,
    event: invocation.event,
    specVersion: invocation.specVersion,
    attempts: 0,
    acceptedAt: Date.now(),
  };
}

function specVersionOf(event: CloudEvent): SpecVersion {
  return event.specversion === '0.1' ? '0.1' : '1.0';
}

