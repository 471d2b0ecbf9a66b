/**
 * The dead-letter endpoints of the Config API (Switchyard's addition; see `dead-letters.ts`):
 *
 *   GET    /v1/spaces/:space/deadletters[?subscriptionId=…]  200 {"deadLetters":[…]}, oldest first
 *   GET    /v1/spaces/:space/deadletters/:id                 200 the dead letter, 404 when unknown
 *   DELETE /v1/spaces/:space/deadletters/:id                 204, 404 when unknown
 *   POST   /v1/spaces/:space/deadletters/:id/redrive         202 {"deadLetterId","deliveryId"}; 400 when the
 *                                                            subscription or function is gone; 429/503 from the queue
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { DeadLetterApi } from '../dead-letters.ts';
import { sendJson } from './http.ts';

export function deadLetterRoutes(router: Router, deadLetters: DeadLetterApi): void {
  const base = '/v1/spaces/:space/deadletters';
  const param = (ctx: Context, name: string): string => String((ctx as Context & { params: Record<string, string> }).params[name]);
  router.get(base, async (ctx) => {
    const query = ctx.query['subscriptionId'];
    const subscriptionId = Array.isArray(query) ? query[0] : query;
    const filter = subscriptionId === undefined || subscriptionId === '' ? {} : { subscriptionId };
    sendJson(ctx, 200, { deadLetters: await deadLetters.list(param(ctx, 'space'), filter) });
  });
  router.get(`${base}/:id`, async (ctx) => sendJson(ctx, 200, await deadLetters.get(param(ctx, 'space'), param(ctx, 'id'))));
  router.delete(`${base}/:id`, async (ctx) => {
    await deadLetters.remove(param(ctx, 'space'), param(ctx, 'id'));
    ctx.status = 204;
    ctx.body = null;
  });
  router.post(`${base}/:id/redrive`, async (ctx) => sendJson(ctx, 202, await deadLetters.redrive(param(ctx, 'space'), param(ctx, 'id'))));
}
