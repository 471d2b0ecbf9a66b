/**
 * Core's own behaviour, as taps on its hooks (so plugins can run before or after it by stage):
 * the request parser (receive, `Stage.LAST`), the router (routing, `Stage.FIRST`) and the reply mapping
 * (respond, `Stage.FIRST`).
 */
import type { Routes } from './context.ts';
import { FUNCTION_CALL_FAILED, GatewayError } from './errors.ts';
import type { SpecVersion } from './event.ts';
import type { GatewayHooks } from './hooks.ts';
import { Stage } from './hooks.ts';
import type { Logger } from './logger.ts';
import { parseRequest } from './receive/index.ts';
import { mapFunctionReply } from './respond.ts';
import type { RoutingTable } from './routing/table.ts';

export const CORE_TAP = 'switchyard-core';

export function tapDefaults(hooks: GatewayHooks, table: RoutingTable, options: { envelope: SpecVersion; logger: Logger }): void {
  const { envelope, logger } = options;
  hooks.receive.tapPromise({ name: CORE_TAP, stage: Stage.LAST }, async (request) => parseRequest(request, { envelope }));

  hooks.routing.tapPromise({ name: CORE_TAP, stage: Stage.FIRST }, async (routes: Routes, ctx) => {
    const { method, path } = ctx.request;
    const type = ctx.event.type;
    const match = table.sync(ctx.space, method, path, type);
    if (match) {
      const fn = table.function(match.subscription.space, match.subscription.functionId);
      if (fn) routes.sync = { subscription: match.subscription, function: fn, params: match.params };
      else {
        logger.error({ subscriptionId: match.subscription.subscriptionId }, 'sync subscription names a function that is not registered');
        throw new GatewayError('GW_ERR_FUNCTION_NOT_FOUND', FUNCTION_CALL_FAILED, { expose: true });
      }
    }
    for (const subscription of table.async(ctx.space, method, path, type)) {
      const fn = table.function(subscription.space, subscription.functionId);
      if (fn) routes.async.push({ subscription, function: fn, params: null });
    }
    return routes;
  });

  hooks.respond.tapPromise({ name: CORE_TAP, stage: Stage.FIRST }, async (reply, result, invocation) => mapFunctionReply(reply, result, invocation));
}
