/**
 * The Configuration API (port 4001): the Serverless Event Gateway's 22 endpoints on the wire (reference §3), plus
 * `GET /v1/spaces`, `GET /v1/status` and `GET /v1/metrics`. Koa does HTTP only; `ConfigService` holds the rules.
 *
 * Wire details kept from the original: exact success codes (201 create, 200 get/list/update, 204 delete), JSON
 * bodies ending in `\n`, `{"errors":[{"message":…}]}` errors with `Content-Type: application/json`,
 * `404 page not found\n` for unknown paths and `Method Not Allowed\n` (405) for a wrong method, CORS ids read from
 * the raw path (`/cors/GET%2Fhello`), a bare trailing `?` accepted, and any `Authorization` header ignored.
 * A trailing slash or a different case in the path is served as the original's redirect target would be.
 */
import Router from '@koa/router';
import Koa from 'koa';
import type { Context, Next } from 'koa';
import type { DeadLetterApi } from '../dead-letters.ts';
import { GatewayError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ProviderConfigValidator } from '../provider.ts';
import type { ResourceKind } from '../resources.ts';
import type { ConfigStore } from '../store.ts';
import { deadLetterRoutes } from './dead-letter-routes.ts';
import { DEFAULT_BODY_LIMIT, metadataFilters, rawLastSegment, readBody, sendError, sendJson, sendText } from './http.ts';
import { ConfigService } from './service.ts';
import type { ResourceExtender } from './service.ts';
import { parseBody } from './validate.ts';

export interface ConfigApiDeps {
  readonly store: ConfigStore;
  /** Installed providers' config validators by function type (`gateway.providers`). */
  readonly providers: ReadonlyMap<string, ProviderConfigValidator>;
  readonly logger: Logger;
  /**
   * While true (graceful shutdown), writes and `GET /v1/status` get 503 `Service Unavailable`; reads still work.
   */
  readonly isDraining?: () => boolean;
  /** Request body limit in bytes (default 1 MiB); larger bodies get 413. */
  readonly bodyLimit?: number;
  /**
   * Add routes (e.g. `/v1/metrics`, API keys) or router middleware. Called before the default routes are
   * registered, so a route added here for the same method and path wins unless it calls `next()`.
   */
  readonly extend?: (router: Router) => void;
  /** Plugins' resource fields (`hooks.configResource`). */
  readonly extendResource?: ResourceExtender;
  /** Dead letters of async deliveries: with it, the `/v1/spaces/:space/deadletters` endpoints are served. */
  readonly deadLetters?: DeadLetterApi;
}

type Handler = (ctx: Context) => Promise<void>;

interface Resource {
  readonly kind: ResourceKind;
  readonly list: (space: string, ctx: Context) => Promise<unknown>;
  readonly get: (space: string, id: string) => Promise<unknown>;
  readonly create: (space: string, body: unknown) => Promise<unknown>;
  readonly update: (space: string, id: string, body: unknown) => Promise<unknown>;
  readonly remove: (space: string, id: string) => Promise<void>;
}

/** The Config API as a Koa app: `http.createServer(createConfigApp(deps).callback())`. */
export function createConfigApp(deps: ConfigApiDeps): Koa {
  const service = new ConfigService({
    store: deps.store, providers: deps.providers, logger: deps.logger, ...(deps.extendResource ? { extendResource: deps.extendResource } : {}),
  });
  const bodyLimit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const draining = deps.isDraining ?? (() => false);
  const router = new Router();
  deps.extend?.(router);

  router.get('/v1/status', async (ctx) => {
    if (draining()) throw new GatewayError('GW_ERR_DRAINING', 'Service Unavailable');
    ctx.status = 200;
    ctx.body = '';
    ctx.remove('Content-Type');
  });
  router.get('/v1/metrics', async (ctx) => {
    ctx.status = 200;
    ctx.body = '';
    ctx.set('Content-Type', 'text/plain; version=0.0.4');
  });
  router.get('/v1/spaces', async (ctx) => sendJson(ctx, 200, { spaces: await service.listSpaces() }));
  if (deps.deadLetters) deadLetterRoutes(router, deps.deadLetters);

  const filters = (ctx: Context) => metadataFilters(ctx.querystring);
  const resources: readonly (Resource & { readonly path: string; readonly key: string })[] = [
    {
      kind: 'eventtypes', path: 'eventtypes/:id', key: 'eventTypes',
      list: (space, ctx) => service.listEventTypes(space, filters(ctx)),
      get: (space, id) => service.getEventType(space, id),
      create: (space, body) => service.createEventType(space, body),
      update: (space, id, body) => service.updateEventType(space, id, body),
      remove: (space, id) => service.deleteEventType(space, id),
    },
    {
      kind: 'functions', path: 'functions/:id', key: 'functions',
      list: (space, ctx) => service.listFunctions(space, filters(ctx)),
      get: (space, id) => service.getFunction(space, id),
      create: (space, body) => service.createFunction(space, body),
      update: (space, id, body) => service.updateFunction(space, id, body),
      remove: (space, id) => service.deleteFunction(space, id),
    },
    {
      kind: 'subscriptions', path: 'subscriptions/:id', key: 'subscriptions',
      list: (space, ctx) => service.listSubscriptions(space, filters(ctx)),
      get: (space, id) => service.getSubscription(space, id),
      create: (space, body) => service.createSubscription(space, body),
      update: (space, id, body) => service.updateSubscription(space, id, body),
      remove: (space, id) => service.deleteSubscription(space, id),
    },
    {
      // `*id`: the original's catch-all; the id itself is the raw last segment (`GET%2Fhello`)
      kind: 'cors', path: 'cors/*id', key: 'cors',
      list: (space, ctx) => service.listCors(space, filters(ctx)),
      get: (space, id) => service.getCors(space, id),
      create: (space, body) => service.createCors(space, body),
      update: (space, id, body) => service.updateCors(space, id, body),
      remove: (space, id) => service.deleteCors(space, id),
    },
  ];

  for (const r of resources) {
    const base = `/v1/spaces/:space/${r.kind}`;
    const itemPath = `/v1/spaces/:space/${r.path}`;
    const space = (ctx: Context): string => String((ctx as Context & { params: Record<string, string> }).params['space']);
    const id = (ctx: Context): string =>
      r.kind === 'cors' ? rawLastSegment(ctx) : String((ctx as Context & { params: Record<string, string> }).params['id']);
    const body = async (ctx: Context): Promise<unknown> => parseBody(r.kind, await readBody(ctx, bodyLimit));
    const routes: [method: 'get' | 'post' | 'put' | 'delete', path: string, handler: Handler][] = [
      ['get', base, async (ctx) => sendJson(ctx, 200, { [r.key]: await r.list(space(ctx), ctx) })],
      ['get', itemPath, async (ctx) => sendJson(ctx, 200, await r.get(space(ctx), id(ctx)))],
      ['post', base, async (ctx) => sendJson(ctx, 201, await r.create(space(ctx), await body(ctx)))],
      ['put', itemPath, async (ctx) => sendJson(ctx, 200, await r.update(space(ctx), id(ctx), await body(ctx)))],
      ['delete', itemPath, async (ctx) => {
        await r.remove(space(ctx), id(ctx));
        ctx.status = 204;
        ctx.body = null;
      }],
    ];
    for (const [method, path, handler] of routes) router[method](path, handler);
  }

  const app = new Koa();
  app.use(async (ctx: Context, next: Next) => {
    try {
      if (draining() && ctx.method !== 'GET' && ctx.method !== 'HEAD') throw new GatewayError('GW_ERR_DRAINING', 'Service Unavailable');
      await next();
    } catch (err) {
      sendError(ctx, err, deps.logger);
    }
  });
  app.use(router.routes());
  app.use(async (ctx: Context) => {
    // No route matched: a known path with another method is 405, anything else 404 (httprouter v1.1).
    const matched = (ctx as Context & { matched?: { methods: string[] }[] }).matched ?? [];
    if (matched.some((layer) => layer.methods.length > 0)) sendText(ctx, 405, 'Method Not Allowed\n');
    else sendText(ctx, 404, '404 page not found\n');
  });
  return app;
}
