/**
 * Applying a config file's `spaces` to a gateway's store, idempotently, through the Config API's own service
 * (`ConfigService`: the same validation, provider checks and plugin fields — `hooks.configResource` — as
 * `POST`/`PUT /v1/spaces/:space/…`). Per resource: created when absent, updated when what an update would store
 * differs from what is stored, untouched when equal. With `prune`, resources of the declared spaces that the file
 * does not declare are deleted (never in other spaces). API keys (`apiKeys`) are written to the auth plugin's
 * collection as it stores them (hash only).
 *
 * `configFilePlugin` does this in the gateway's `start` hook (after the store opened, before routing loads and the
 * servers listen), so a gateway never serves requests with half its file applied.
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { ConfigService, corsId, GatewayError, isGatewayError, Stage, subscriptionId } from '@switchyard/core';
import type { ConfigStore, Gateway, GatewayPlugin, Logger, ResourceKind, StoreEntry } from '@switchyard/core';
import { APIKEYS_KIND } from '@switchyard/plugin-auth';
import type { StoredApiKey } from '@switchyard/plugin-auth';
import { ConfigFileError } from './load.ts';
import type { ApiKeyDeclaration, ConfigFile, ConfigProblem, PathSegment, ResourceBody, SpaceSection } from './load.ts';

export interface ApplySummary {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

/** The file's sections in the order they are applied (functions before the event types naming them as authorizers, …). */
const SECTIONS = [
  { section: 'functions', kind: 'functions' },
  { section: 'eventTypes', kind: 'eventtypes' },
  { section: 'subscriptions', kind: 'subscriptions' },
  { section: 'cors', kind: 'cors' },
] as const satisfies readonly { section: keyof SpaceSection; kind: ResourceKind }[];

type Section = (typeof SECTIONS)[number]['section'];

export const CONFIG_FILE_PLUGIN = 'ConfigFilePlugin';

/** A plugin applying the file's `spaces` in the `start` hook (last), logging the summary. */
export function configFilePlugin(config: ConfigFile): GatewayPlugin {
  return {
    name: CONFIG_FILE_PLUGIN,
    apply(gateway) {
      gateway.hooks.start.tapPromise({ name: CONFIG_FILE_PLUGIN, stage: Stage.LAST }, async () => {
        const summary = await applyConfigFile(gateway, config);
        gateway.logger.info({ file: config.file, ...summary },
          `config file applied: created ${summary.created}, updated ${summary.updated}, unchanged ${summary.unchanged}, deleted ${summary.deleted}`);
      });
    },
  };
}

/** Apply `config.contents.spaces` to `gateway.store`; throws `ConfigFileError` naming the entry the Config API refused. */
export async function applyConfigFile(gateway: Gateway, config: ConfigFile): Promise<ApplySummary> {
  const deps = {
    store: gateway.store, providers: gateway.providers, logger: gateway.logger,
    extendResource: (resource: Parameters<Gateway['hooks']['configResource']['promise']>[0], input: Parameters<Gateway['hooks']['configResource']['promise']>[1]) =>
      gateway.hooks.configResource.promise(resource, input),
  };
  const service = new ConfigService(deps);
  // The same service over a store that keeps writes to itself: what an update *would* store, to compare.
  const probe = new ConfigService({ ...deps, store: dryRun(gateway.store) });
  const summary: ApplySummary = { created: 0, updated: 0, unchanged: 0, deleted: 0 };
  const prune = config.contents.prune === true;
  for (const [space, declared] of Object.entries(config.contents.spaces ?? {})) {
    const kept = new Map<ResourceKind, Set<string>>();
    for (const { section, kind } of SECTIONS) {
      const ids = new Set<string>();
      kept.set(kind, ids);
      for (const [index, body] of (declared[section] ?? []).entries()) {
        const path: PathSegment[] = ['spaces', space, section, index];
        try {
          const id = resourceId(section, body);
          ids.add(id);
          summary[await upsert(service, probe, gateway.store, section, space, id, body)]++;
        } catch (err) {
          throw refused(config, path, err);
        }
      }
    }
    const keys = new Set<string>();
    for (const [index, declaration] of (declared.apiKeys ?? []).entries()) {
      const keyId = declaration.key.split('_')[1] ?? '';
      keys.add(keyId);
      try {
        summary[await upsertApiKey(gateway.store, space, keyId, declaration)]++;
      } catch (err) {
        throw refused(config, ['spaces', space, 'apiKeys', index], err);
      }
    }
    if (prune) {
      summary.deleted += await pruneSpace(service, gateway.store, space, kept, keys, declared.apiKeys !== undefined, gateway.logger);
    }
  }
  return summary;
}

function refused(config: ConfigFile, path: readonly PathSegment[], err: unknown): ConfigFileError {
  const message = err instanceof Error ? err.message : String(err);
  const problem: ConfigProblem = config.problem(path, isGatewayError(err) ? `refused by the Config API (${err.status}): ${message}` : message);
  return new ConfigFileError([problem]);
}

/** The id the Config API gives the resource a body describes. */
function resourceId(section: Section, body: ResourceBody): string {
  const text = (field: string): string => (typeof body[field] === 'string' ? body[field] : '');
  switch (section) {
    case 'functions':
      return text('functionId');
    case 'eventTypes':
      return text('name');
    case 'subscriptions': {
      // As the Config API normalises them: a leading `/` added to the path, the method upper-cased (default POST).
      const path = text('path').startsWith('/') ? text('path') : `/${text('path')}`;
      const method = text('method') === '' ? 'POST' : text('method').toUpperCase();
      return subscriptionId({ type: text('type') as 'sync' | 'async', eventType: text('eventType'), functionId: text('functionId'), path, method });
    }
    case 'cors':
      return corsId(text('method'), text('path'));
  }
}

type Outcome = 'created' | 'updated' | 'unchanged';

async function upsert(service: ConfigService, probe: ConfigService, store: ConfigStore, section: Section, space: string, id: string, body: ResourceBody): Promise<Outcome> {
  const ops = operations(section);
  const existing = await store.get(KIND[section], space, id);
  if (existing === undefined) {
    try {
      await ops.create(service, space, body);
      return 'created';
    } catch (err) {
      // Another gateway of the cluster, applying the same file, created it first: compare with that.
      if (!(isGatewayError(err) && err.code === 'GW_ERR_CONFLICT')) throw err;
      return upsert(service, probe, store, section, space, id, body);
    }
  }
  if (section === 'subscriptions' && existing.value !== null && typeof existing.value === 'object' && (existing.value as { functionId?: unknown }).functionId !== body['functionId']) {
    // A subscription's function cannot be updated in place: replace the subscription.
    await service.deleteSubscription(space, id);
    await ops.create(service, space, body);
    return 'updated';
  }
  const wouldStore = await ops.update(probe, space, id, body);
  if (isDeepStrictEqual(wouldStore, existing.value)) return 'unchanged';
  await ops.update(service, space, id, body);
  return 'updated';
}

const KIND: Readonly<Record<Section, ResourceKind>> = { functions: 'functions', eventTypes: 'eventtypes', subscriptions: 'subscriptions', cors: 'cors' };

interface Operations {
  create(service: ConfigService, space: string, body: ResourceBody): Promise<unknown>;
  update(service: ConfigService, space: string, id: string, body: ResourceBody): Promise<unknown>;
}

function operations(section: Section): Operations {
  switch (section) {
    case 'functions':
      return { create: (s, space, body) => s.createFunction(space, body), update: (s, space, id, body) => s.updateFunction(space, id, body) };
    case 'eventTypes':
      return { create: (s, space, body) => s.createEventType(space, body), update: (s, space, id, body) => s.updateEventType(space, id, body) };
    case 'subscriptions':
      return { create: (s, space, body) => s.createSubscription(space, body), update: (s, space, id, body) => s.updateSubscription(space, id, body) };
    case 'cors':
      return { create: (s, space, body) => s.createCors(space, body), update: (s, space, id, body) => s.updateCors(space, id, body) };
  }
}

/** Reads go to `store`; writes are answered as if they succeeded, and forgotten. */
function dryRun(store: ConfigStore): ConfigStore {
  const pretend = <T>(kind: string, space: string, id: string, value: T): Promise<StoreEntry<T>> =>
    Promise.resolve({ kind, space, id, value, revision: 0 });
  return {
    open: () => Promise.resolve(),
    close: () => Promise.resolve(),
    get: (kind, space, id) => store.get(kind, space, id),
    list: (kind, space) => store.list(kind, space),
    spaces: () => store.spaces(),
    watch: () => Promise.reject(new Error('dry run: no watch')),
    create: pretend,
    update: pretend,
    delete: () => Promise.resolve(true),
  };
}

/** An API key as the auth plugin stores it: `sha256:<hex>` of the whole key, never the key. */
async function upsertApiKey(store: ConfigStore, space: string, keyId: string, declaration: ApiKeyDeclaration): Promise<Outcome> {
  const hash = `sha256:${createHash('sha256').update(declaration.key).digest('hex')}`;
  const existing = await store.get<StoredApiKey>(APIKEYS_KIND, space, keyId);
  const value: StoredApiKey = {
    space, keyId,
    ...(declaration.name ? { name: declaration.name } : {}),
    ...(declaration.eventTypes ? { eventTypes: [...new Set(declaration.eventTypes)] } : {}),
    ...(declaration.metadata && Object.keys(declaration.metadata).length > 0 ? { metadata: sortKeys(declaration.metadata) } : {}),
    createdAt: existing?.value.createdAt ?? new Date().toISOString(),
    hash,
  };
  if (existing === undefined) {
    if ((await store.create(APIKEYS_KIND, space, keyId, value)) === undefined) throw new GatewayError('GW_ERR_CONFLICT', `API key "${keyId}" was created concurrently.`);
    return 'created';
  }
  if (isDeepStrictEqual(existing.value, value)) return 'unchanged';
  await store.update(APIKEYS_KIND, space, keyId, value);
  return 'updated';
}

function sortKeys(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Delete what the space holds beyond the file: subscriptions and CORS first, functions last (they may be in use). */
async function pruneSpace(
  service: ConfigService, store: ConfigStore, space: string, kept: ReadonlyMap<ResourceKind, ReadonlySet<string>>,
  keys: ReadonlySet<string>, pruneKeys: boolean, logger: Logger,
): Promise<number> {
  let deleted = 0;
  const remove: Readonly<Record<ResourceKind, (id: string) => Promise<void>>> = {
    subscriptions: (id) => service.deleteSubscription(space, id),
    cors: (id) => service.deleteCors(space, id),
    eventtypes: (id) => service.deleteEventType(space, id),
    functions: (id) => service.deleteFunction(space, id),
  };
  for (const kind of ['subscriptions', 'cors', 'eventtypes', 'functions'] as const) {
    for (const entry of await store.list(kind, space)) {
      if (kept.get(kind)?.has(entry.id)) continue;
      await remove[kind](entry.id);
      logger.info({ kind, space, id: entry.id }, 'config file: pruned');
      deleted++;
    }
  }
  // API keys are pruned only when the space declares `apiKeys` (keys minted over the Config API survive otherwise).
  if (pruneKeys) {
    for (const entry of await store.list(APIKEYS_KIND, space)) {
      if (keys.has(entry.id)) continue;
      await store.delete(APIKEYS_KIND, space, entry.id);
      logger.info({ kind: APIKEYS_KIND, space, id: entry.id }, 'config file: pruned');
      deleted++;
    }
  }
  return deleted;
}
