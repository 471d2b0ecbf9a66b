/**
 * Authorizer functions per event type (reference §5), on the `prepare` hook at `Stage.EARLY`, so a target's
 * filters and transforms (at `Stage.DEFAULT`) already see its authorization.
 *
 * For each target (the sync subscription, and every async subscription), the event type of the target's own space
 * (`table.eventType(subscription space, event type)`) names the authorizer, a function of that space. It runs once
 * per target, as in the original (the cache, when on, shares verdicts). Never for system events.
 * - allowed: the authorization is attached to the delivered event (see `attach.ts`) and set on
 *   `ctx.state.authorization`;
 * - refused, sync target: 403 `{"errors":[{"message": <the authorizer's error message, or "Unauthorized">}]}`;
 * - refused, async target: that subscription does not get the event (`invocation.skip`).
 * Every refusal publishes `eventgateway.event.rejected` `{space, subscriptionId, functionId, eventType, reason}` in
 * the target's space.
 */
import type { EventContext, Gateway, Invocation } from '@switchyard/core';
import { isSystemEventType, Stage, SystemEventType } from '@switchyard/core';
import { attachAuthorization } from '../attach.ts';
import { forbidden } from '../errors.ts';
import type { Authorization } from '../types.ts';
import { PLUGIN_NAME } from '../types.ts';
import type { AuthorizerCache } from './cache.ts';
import type { AuthorizerVerdict } from './call.ts';
import { callAuthorizer } from './call.ts';

/** The message of a sync 403 when the authorizer gave none (it failed, or denied without a message). */
export const UNAUTHORIZED_MESSAGE = 'Unauthorized';

export class Authorizers {
  readonly #gateway: Gateway;
  readonly #cache: AuthorizerCache | undefined;
  /** Verdicts being fetched, by cache key: concurrent misses share one call. */
  readonly #pending = new Map<string, Promise<AuthorizerVerdict>>();
  /** The authorization each event had after the auth stage, to put back for targets without an authorizer. */
  readonly #base = new WeakMap<EventContext, { readonly authorization: Authorization | undefined }>();

  constructor(gateway: Gateway, cache: AuthorizerCache | undefined) {
    this.#gateway = gateway;
    this.#cache = cache;
  }

  get cache(): AuthorizerCache | undefined {
    return this.#cache;
  }

  apply(): void {
    this.#gateway.hooks.prepare.tapPromise({ name: PLUGIN_NAME, stage: Stage.EARLY }, (invocation, ctx) => this.prepare(invocation, ctx));
  }

  async prepare(invocation: Invocation, ctx: EventContext): Promise<Invocation> {
    if (invocation.skip !== undefined || isSystemEventType(invocation.event.type)) return invocation;
    const authorizerId = this.#gateway.table.eventType(invocation.space, invocation.event.type)?.authorizerId;
    // Put back the auth stage's authorization, which an earlier target's authorizer may have replaced.
    const base = this.#base.get(ctx);
    if (base !== undefined) ctx.state.authorization = base.authorization;
    if (authorizerId === undefined || authorizerId === '') return invocation;
    if (base === undefined) this.#base.set(ctx, { authorization: ctx.state.authorization });
    const verdict = await this.#verdict(authorizerId, invocation, ctx);
    if (verdict.ok) {
      if (verdict.authorization !== undefined) {
        invocation.event = attachAuthorization(invocation.event, verdict.authorization);
        ctx.state.authorization = verdict.authorization;
      }
      return invocation;
    }
    const { logger, systemEvents } = this.#gateway;
    const subscriptionId = invocation.subscription?.subscriptionId ?? '';
    const functionId = invocation.function.functionId;
    const where = { space: invocation.space, subscriptionId, functionId, eventType: invocation.event.type };
    if (verdict.denied) logger.debug({ ...where, reason: verdict.reason }, 'event refused by its authorizer');
    else logger.warn({ ...where, reason: verdict.reason }, 'authorizer failed; event refused');
    systemEvents.publish(invocation.space, SystemEventType.EVENT_REJECTED, { ...where, reason: verdict.reason }, invocation.event);
    if (invocation.mode === 'sync') throw forbidden(verdict.message ?? UNAUTHORIZED_MESSAGE);
    invocation.skip = verdict.reason;
    return invocation;
  }

  async #verdict(authorizerId: string, invocation: Invocation, ctx: EventContext): Promise<AuthorizerVerdict> {
    const cache = this.#cache;
    const key = cache?.key(invocation.space, authorizerId, invocation.event.type, ctx.request.headers);
    if (cache === undefined || key === undefined) return callAuthorizer(this.#gateway, authorizerId, invocation, ctx);
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      pending = callAuthorizer(this.#gateway, authorizerId, invocation, ctx).then((verdict) => {
        cache.set(key, verdict);
        return verdict;
      }).finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return pending;
  }
}
