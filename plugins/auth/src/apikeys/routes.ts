/**
 * The Config API routes of API keys (added through the `configApi` hook):
 *
 *   POST   /v1/spaces/:space/apikeys          {name?, eventTypes?, metadata?} → 201 {space, keyId, …, createdAt, key}
 *   GET    /v1/spaces/:space/apikeys          → 200 {"apiKeys":[…]}  (never the secrets; `?metadata.<k>=<v>` filters)
 *   GET    /v1/spaces/:space/apikeys/:keyId   → 200 {space, keyId, …} | 404
 *   DELETE /v1/spaces/:space/apikeys/:keyId   → 204 | 404
 *
 * The key itself is in the create reply only. Like the rest of the Config API, the space is checked on create
 * (`required,min=3,space` → 400), not on reads and deletes.
 */
import type { ConfigRouter, JsonContext } from '../http.ts';
import { readBody, sendJson } from '../http.ts';
import type { ApiKeyRegistry } from './registry.ts';
import { checkSpace, parseApiKeyInput } from './validate.ts';

const BODY_LIMIT = 64 * 1024;
const BASE = '/v1/spaces/:space/apikeys';

type RouteContext = JsonContext & { readonly params: Record<string, string>; readonly querystring: string };

/** `metadata.<key>=<value>` list filters, as the rest of the Config API: all must match; a repeated key's first value counts. */
function metadataFilters(querystring: string): [string, string][] {
  const seen = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(querystring)) {
    if (name.startsWith('metadata.') && !seen.has(name)) seen.set(name, value);
  }
  return [...seen].map(([name, value]) => [name.slice('metadata.'.length), value]);
}

function param(ctx: RouteContext, name: string): string {
  return ctx.params[name] ?? '';
}

export function addApiKeyRoutes(router: ConfigRouter, registry: ApiKeyRegistry): void {
  router.post(BASE, async (ctx) => {
    const c = ctx as unknown as RouteContext;
    const space = param(c, 'space');
    checkSpace(space);
    const input = parseApiKeyInput(await readBody(c.req, BODY_LIMIT));
    sendJson(c, 201, await registry.create(space, input));
  });
  router.get(BASE, async (ctx) => {
    const c = ctx as unknown as RouteContext;
    const filters = metadataFilters(c.querystring);
    const keys = await registry.list(param(c, 'space'));
    sendJson(c, 200, { apiKeys: keys.filter((k) => filters.every(([key, value]) => k.metadata !== undefined && Object.hasOwn(k.metadata, key) && k.metadata[key] === value)) });
  });
  router.get(`${BASE}/:keyId`, async (ctx) => {
    const c = ctx as unknown as RouteContext;
    sendJson(c, 200, await registry.get(param(c, 'space'), param(c, 'keyId')));
  });
  router.delete(`${BASE}/:keyId`, async (ctx) => {
    const c = ctx as unknown as RouteContext;
    await registry.delete(param(c, 'space'), param(c, 'keyId'));
    c.status = 204;
    c.body = null;
  });
}
