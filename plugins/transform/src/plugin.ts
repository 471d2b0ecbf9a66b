/**
 * `TransformPlugin`: JSONata filters and transforms.
 *
 * - Event types: `transform` normalises an event's data before routing (`hooks.transform`).
 * - Subscriptions: `filter` decides whether the target gets the event, `transform` makes the data it gets
 *   (`hooks.prepare`, per target, after authorization); sync subscriptions: `responseTransform` reshapes the reply
 *   (`hooks.respond`, after core's mapping).
 * - Expressions compile when the resource is created or updated (a syntax error is a 400), and are cached by text.
 *
 * Failures: a sync call fails with a 500 naming the subscription and the reason; an async target is skipped, and the
 * skip is reported (`eventgateway.event.rejected` and a warning) while the client gets 202 for the other targets; an
 * event type's transform failing is a 500 for the request (the gateway's configuration, not the client, is at fault).
 */
import { GatewayError, Stage, SystemEventType } from '@switchyard/core';
import type { CloudEvent, EventContext, Gateway, GatewayPlugin, HttpReply, Invocation } from '@switchyard/core';
import { CompiledExpression, ExpressionCache, ExpressionError, jsonataBoolean, toJson } from './expressions.ts';
import { addExpressionFields } from './fields.ts';
import { replyFrom, replyObject, withData } from './shapes.ts';

export const PLUGIN_NAME = 'TransformPlugin';
export const DEFAULT_TIMEOUT_MS = 100;
export const DEFAULT_MAX_DEPTH = 200;
export const DEFAULT_CACHE_SIZE = 1000;
/** The skip reason of a target whose filter is falsy. */
export const FILTERED_OUT = 'filtered out by subscription filter';

export interface TransformOptions {
  /** Wall time one evaluation may take, in ms. Default 100. */
  readonly timeoutMs?: number;
  /** Nested evaluation steps one evaluation may have in progress. Default 200. */
  readonly maxDepth?: number;
  /** Compiled expressions kept (least recently used evicted). Default 1000. */
  readonly cacheSize?: number;
}

function positive(options: TransformOptions, name: keyof TransformOptions, fallback: number, integer: boolean): number {
  const value: unknown = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new GatewayError('GW_ERR_PLUGIN_OPTIONS', `${PLUGIN_NAME}: '${name}' must be a positive ${integer ? 'integer' : 'number'}`);
  }
  return value;
}

/**
 * Variables an expression may use besides the event: `$authorization`, the authorization that applies to this
 * event and target when the auth plugin set one (`ctx.state.authorization`, `{principalId, context}`), whatever the
 * event's CloudEvents version. (The event itself carries it too: `eventgatewayauthorization` in 1.0,
 * `extensions.eventgateway.authorization` in 0.1.)
 */
function bindingsOf(ctx: EventContext): Record<string, unknown> | undefined {
  const authorization = (ctx.state as { readonly authorization?: unknown }).authorization;
  return authorization === undefined ? undefined : { authorization };
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A 500 whose message reaches the client: the expression is the gateway owner's, its error is safe to show. */
function failed(message: string, cause: unknown): GatewayError {
  return new GatewayError('GW_ERR_HOOK_FAILED', message, { status: 500, expose: true, cause });
}

export class TransformPlugin implements GatewayPlugin {
  readonly name = PLUGIN_NAME;
  /** The compiled expressions of this plugin's gateway, by text. */
  readonly expressions: ExpressionCache;
  readonly #limits: { readonly timeoutMs: number; readonly maxDepth: number };

  constructor(options: TransformOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new GatewayError('GW_ERR_PLUGIN_OPTIONS', `${PLUGIN_NAME}: options must be an object`);
    this.#limits = { timeoutMs: positive(options, 'timeoutMs', DEFAULT_TIMEOUT_MS, false), maxDepth: positive(options, 'maxDepth', DEFAULT_MAX_DEPTH, true) };
    this.expressions = new ExpressionCache(this.#limits, positive(options, 'cacheSize', DEFAULT_CACHE_SIZE, true));
  }

  apply(gateway: Gateway): void {
    const { hooks } = gateway;
    hooks.start.tapPromise({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, () => assertGuarded());
    hooks.configResource.tapPromise({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, async (resource, input) =>
      addExpressionFields(resource, input, (source) => void this.expressions.get(source)));
    hooks.transform.tapPromise({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, (event, ctx) => this.#transformEvent(gateway, event, ctx));
    // LATE: after per-target authorization (its result is part of the event a filter reads).
    hooks.prepare.tapPromise({ name: PLUGIN_NAME, stage: Stage.LATE }, (invocation, ctx) => this.#prepare(gateway, invocation, ctx));
    // DEFAULT: after core's mapping of the function's reply (Stage.FIRST).
    hooks.respond.tapPromise({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, (reply, _result, invocation) => this.#respond(reply, invocation));
  }

  #evaluate(source: string, input: unknown, bindings?: Record<string, unknown>): Promise<unknown> {
    return this.expressions.get(source).evaluate(input, bindings);
  }

  /** The event type's `transform`: new data for the event, before routing. */
  async #transformEvent(gateway: Gateway, event: CloudEvent, ctx: EventContext): Promise<CloudEvent> {
    const source = gateway.table.eventTypeFor(ctx.space, event.type)?.transform;
    if (typeof source !== 'string') return event;
    try {
      return withData(event, toJson(await this.#evaluate(source, event, bindingsOf(ctx))));
    } catch (err) {
      throw failed(`Transform failed for event type "${event.type}": ${reasonOf(err)}`, err);
    }
  }

  /** The subscription's `filter`, then its `transform`, for one target. */
  async #prepare(gateway: Gateway, invocation: Invocation, ctx: EventContext): Promise<Invocation> {
    const subscription = invocation.subscription;
    if (invocation.skip !== undefined || subscription === undefined) return invocation;
    const { filter, transform } = subscription;
    if (typeof filter !== 'string' && typeof transform !== 'string') return invocation;
    const bindings = bindingsOf(ctx);
    let stage: 'Filter' | 'Transform' = 'Filter';
    try {
      if (typeof filter === 'string' && !jsonataBoolean(await this.#evaluate(filter, invocation.event, bindings))) {
        invocation.skip = FILTERED_OUT;
        return invocation;
      }
      stage = 'Transform';
      if (typeof transform === 'string') invocation.event = withData(invocation.event, toJson(await this.#evaluate(transform, invocation.event, bindings)));
      return invocation;
    } catch (err) {
      const reason = `${stage} failed for subscription ${subscription.subscriptionId}: ${reasonOf(err)}`;
      if (invocation.mode === 'sync') throw failed(reason, err);
      // Async: skip this target only, and say so; the client still gets 202 for the others.
      invocation.skip = reason;
      const report = {
        space: invocation.space,
        subscriptionId: subscription.subscriptionId,
        functionId: invocation.function.functionId,
        eventId: invocation.event.id,
        eventType: invocation.event.type,
        reason,
      };
      gateway.logger.warn({ ...report, err }, 'delivery skipped: subscription expression failed');
      gateway.systemEvents.publish(invocation.space, SystemEventType.EVENT_REJECTED, report, invocation.event);
      return invocation;
    }
  }

  /** The sync subscription's `responseTransform`, over the reply core mapped. */
  async #respond(reply: HttpReply, invocation: Invocation): Promise<HttpReply> {
    const source = invocation.subscription?.responseTransform;
    if (typeof source !== 'string' || invocation.mode !== 'sync') return reply;
    try {
      return replyFrom(toJson(await this.#evaluate(source, replyObject(reply))));
    } catch (err) {
      throw failed(`Response transform failed for subscription ${invocation.subscription?.subscriptionId ?? ''}: ${reasonOf(err)}`, err);
    }
  }
}

/**
 * At start: prove the installed jsonata enforces the evaluation limits (a bounded recursion must hit a small depth
 * limit). Without them a runaway expression would hold the process forever, so refuse to start instead.
 */
async function assertGuarded(): Promise<void> {
  const probe = new CompiledExpression('( $f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(50) )', { timeoutMs: 1000, maxDepth: 20 });
  try {
    await probe.evaluate(null);
  } catch (err) {
    if (err instanceof ExpressionError && err.kind === 'depth') return;
    throw err;
  }
  throw new GatewayError('GW_ERR_PLUGIN_INVALID', `${PLUGIN_NAME}: the installed jsonata does not enforce evaluation limits; jsonata >= 2.2.1 is required`);
}
