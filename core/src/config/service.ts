/**
 * `ConfigService`: the rules of the Configuration API over a `ConfigStore` (reference §3.1–3.4), in the
 * original's order of checks, with its messages. The HTTP layer (`app.ts`) only maps requests to these calls.
 *
 * Store keys: kind `eventtypes` (id: the name), `functions` (functionId), `subscriptions` (subscriptionId) and
 * `cors` (corsId); values are the resources exactly as the API returns them.
 *
 * Two quirks of the original are fixed (reference §19): an event type created with a missing authorizer is a
 * 400 (was 500), and a CORS update that changes `method` or `path` is a 400 (was 500).
 */
import { GatewayError, isGatewayError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ProviderConfigValidator } from '../provider.ts';
import type { CorsConfig, EventType, FunctionConfig, Metadata, ResourceByKind, ResourceKind, Subscription } from '../resources.ts';
import { PathTree } from '../routing/path-tree.ts';
import type { ConfigStore } from '../store.ts';
import type { ConfigResource, ConfigResourceInput } from '../hooks.ts';
import { validateFunction } from './functions.ts';
import { goQuote } from './go-format.ts';
import { checkSystemEventCycle } from './retry-policy.ts';
import { validateCors, validateEventType, validateSubscription } from './validate.ts';
import { isRecord } from '../event.ts';

/** A list filter: `metadata.<key>=<value>` in the query. All filters must match (AND). */
export interface MetadataFilter {
  readonly key: string;
  readonly value: string;
}

export interface ConfigServiceOptions {
  readonly store: ConfigStore;
  /** Installed providers' config validators by function type; they override or extend the built-in five. */
  readonly providers?: ReadonlyMap<string, ProviderConfigValidator>;
  readonly logger?: Logger;
  /** Plugins' resource fields: called after core's validation on every create and update (`hooks.configResource`). */
  readonly extendResource?: ResourceExtender;
}

/** Check and add plugin fields to a validated resource; return it (see `hooks.configResource`). */
export type ResourceExtender = (resource: ConfigResource, input: ConfigResourceInput) => Promise<ConfigResource>;

/** Names in messages: `Event Type "a" not found.`, `Function "f" already registered.` */
const LABEL: Readonly<Record<ResourceKind, string>> = {
  eventtypes: 'Event Type',
  functions: 'Function',
  subscriptions: 'Subscription',
  cors: 'CORS configuration',
};

function notFound(kind: ResourceKind, id: string, status?: number): GatewayError {
  const message = `${LABEL[kind]} ${goQuote(id)} not found.`;
  return status === undefined ? new GatewayError('GW_ERR_NOT_FOUND', message) : new GatewayError('GW_ERR_VALIDATION', message, { status });
}

function alreadyExists(kind: ResourceKind, id: string): GatewayError {
  return new GatewayError('GW_ERR_CONFLICT', `${LABEL[kind]} ${goQuote(id)} ${kind === 'functions' ? 'already registered' : 'already exists'}.`);
}

function invalidUpdate(field: string, what: 'subscription' | 'CORS configuration'): GatewayError {
  return new GatewayError('GW_ERR_VALIDATION', `Invalid update. '${field}' of existing ${what} cannot be updated.`);
}

/** Whether `metadata` has every filter's key with exactly its value (the original's `Metadata.Check`). */
export function matchesMetadata(metadata: Metadata | undefined, filters: readonly MetadataFilter[]): boolean {
  return filters.every((f) => metadata !== undefined && Object.hasOwn(metadata, f.key) && metadata[f.key] === f.value);
}

/** The Configuration API's operations; see the module comment. Every failure is a `GatewayError`. */
export class ConfigService {
  readonly #store: ConfigStore;
  readonly #providers: ReadonlyMap<string, ProviderConfigValidator>;
  readonly #logger: Logger | undefined;
  readonly #extendResource: ResourceExtender | undefined;

  constructor(options: ConfigServiceOptions) {
    this.#store = options.store;
    this.#extendResource = options.extendResource;
    this.#providers = options.providers ?? new Map();
    this.#logger = options.logger;
  }

  /** Spaces holding at least one resource, sorted (`GET /v1/spaces`). */
  listSpaces(): Promise<string[]> {
    return this.#call(() => this.#store.spaces());
  }

  // ---- event types (reference §3.1)

  listEventTypes(space: string, filters: readonly MetadataFilter[] = []): Promise<EventType[]> {
    return this.#list('eventtypes', space, filters);
  }

  getEventType(space: string, name: string): Promise<EventType> {
    return this.#get('eventtypes', space, name);
  }

  /** Validate (400), exists (409), authorizer function exists (400). */
  async createEventType(space: string, body: unknown): Promise<EventType> {
    const eventType = await this.#extend('eventtypes', 'create', space, validateEventType(body, space), body);
    if (await this.#find('eventtypes', space, eventType.name)) throw alreadyExists('eventtypes', eventType.name);
    await this.#checkAuthorizer(eventType);
    return this.#create('eventtypes', space, eventType.name, eventType);
  }

  /** Validate (400), exists (404), authorizer function exists (400); the whole object is replaced. */
  async updateEventType(space: string, name: string, body: unknown): Promise<EventType> {
    const eventType = await this.#extend('eventtypes', 'update', space, validateEventType(body, space, name), body);
    await this.getEventType(space, name);
    await this.#checkAuthorizer(eventType);
    return this.#update('eventtypes', space, name, eventType);
  }

  /** In use by a subscription of the space (400), then missing (404). */
  async deleteEventType(space: string, name: string): Promise<void> {
    const subscriptions = await this.#list('subscriptions', space);
    if (subscriptions.some((s) => s.eventType === name)) {
      throw new GatewayError('GW_ERR_IN_USE', 'Event type cannot be deleted because there are subscriptions using it.');
    }
    await this.#delete('eventtypes', space, name);
  }

  async #checkAuthorizer(eventType: EventType): Promise<void> {
    if (eventType.authorizerId === undefined) return;
    if (!(await this.#find('functions', eventType.space, eventType.authorizerId))) {
      throw new GatewayError('GW_ERR_VALIDATION', "Authorizer function doesn't exists.");
    }
  }

  // ---- functions (reference §3.2)

  listFunctions(space: string, filters: readonly MetadataFilter[] = []): Promise<FunctionConfig[]> {
    return this.#list('functions', space, filters);
  }

  getFunction(space: string, functionId: string): Promise<FunctionConfig> {
    return this.#get('functions', space, functionId);
  }

  /** Validate (400), exists (409). */
  async createFunction(space: string, body: unknown): Promise<FunctionConfig> {
    const fn = await this.#extend('functions', 'create', space, validateFunction(body, space, undefined, this.#providers), body);
    if (await this.#find('functions', space, fn.functionId)) throw alreadyExists('functions', fn.functionId);
    return this.#create('functions', space, fn.functionId, fn);
  }

  /** Validate (400), exists (404). The id comes from the URL. */
  async updateFunction(space: string, functionId: string, body: unknown): Promise<FunctionConfig> {
    const fn = await this.#extend('functions', 'update', space, validateFunction(body, space, functionId, this.#providers), body);
    await this.getFunction(space, functionId);
    return this.#update('functions', space, functionId, fn);
  }

  /** Subscribed (400), used as an authorizer (400), then missing (404). */
  async deleteFunction(space: string, functionId: string): Promise<void> {
    const subscriptions = await this.#list('subscriptions', space);
    if (subscriptions.some((s) => s.functionId === functionId)) {
      throw new GatewayError('GW_ERR_IN_USE', "Function cannot be deleted because it's subscribed to a least one event.");
    }
    const eventTypes = await this.#list('eventtypes', space);
    const authorized = eventTypes.find((t) => t.authorizerId === functionId);
    if (authorized) {
      throw new GatewayError(
        'GW_ERR_IN_USE',
        `Function ${functionId} cannot be deleted because is used as an authorizer for ${authorized.name} event type.`,
      );
    }
    await this.#delete('functions', space, functionId);
  }

  // ---- subscriptions (reference §3.3)

  listSubscriptions(space: string, filters: readonly MetadataFilter[] = []): Promise<Subscription[]> {
    return this.#list('subscriptions', space, filters);
  }

  getSubscription(space: string, subscriptionId: string): Promise<Subscription> {
    return this.#get('subscriptions', space, subscriptionId);
  }

  /** Validate (400), exists (409), sync path conflict (400), event type exists (400), function exists (400). */
  async createSubscription(space: string, body: unknown): Promise<Subscription> {
    const sub = await this.#extend('subscriptions', 'create', space, validateSubscription(body, space), body);
    if (await this.#find('subscriptions', space, sub.subscriptionId)) throw alreadyExists('subscriptions', sub.subscriptionId);
    checkSystemEventCycle(sub);
    if (sub.type === 'sync') await this.#checkPathConflict(sub);
    if (!(await this.#find('eventtypes', space, sub.eventType))) throw notFound('eventtypes', sub.eventType, 400);
    if (!(await this.#find('functions', space, sub.functionId))) throw notFound('functions', sub.functionId, 400);
    return this.#create('subscriptions', space, sub.subscriptionId, sub);
  }

  /**
   * Validate (400), exists (404), only `metadata` changed (400 `Invalid update. '<Field>' …`), function exists
   * (400). The event type is not checked again, as in the original.
   */
  async updateSubscription(space: string, subscriptionId: string, body: unknown): Promise<Subscription> {
    const sub = await this.#extend('subscriptions', 'update', space, { ...validateSubscription(body, space), subscriptionId }, body);
    const old = await this.getSubscription(space, subscriptionId);
    const fields = [['Type', 'type'], ['EventType', 'eventType'], ['FunctionID', 'functionId'], ['Path', 'path'], ['Method', 'method']] as const;
    for (const [field, key] of fields) if (sub[key] !== old[key]) throw invalidUpdate(field, 'subscription');
    checkSystemEventCycle(sub);
    if (!(await this.#find('functions', space, sub.functionId))) throw notFound('functions', sub.functionId, 400);
    return this.#update('subscriptions', space, subscriptionId, sub);
  }

  deleteSubscription(space: string, subscriptionId: string): Promise<void> {
    return this.#delete('subscriptions', space, subscriptionId);
  }

  /** The original's `checkForPathConflict`: a tree of the space's sync routes with the same method and event type. */
  async #checkPathConflict(sub: Subscription): Promise<void> {
    const tree = new PathTree<true>();
    for (const other of await this.#list('subscriptions', sub.space)) {
      if (other.type !== 'sync' || other.method !== sub.method || other.eventType !== sub.eventType) continue;
      try {
        tree.add(other.path, true);
      } catch {
        // the original ignores errors while adding the existing routes
      }
    }
    try {
      tree.add(sub.path, true);
    } catch (err) {
      throw new GatewayError('GW_ERR_VALIDATION', `Subscription path conflict: ${(err as Error).message}`);
    }
  }

  // ---- CORS configurations (reference §3.4)

  listCors(space: string, filters: readonly MetadataFilter[] = []): Promise<CorsConfig[]> {
    return this.#list('cors', space, filters);
  }

  getCors(space: string, id: string): Promise<CorsConfig> {
    return this.#get('cors', space, id);
  }

  /** Validate (400), exists (409). */
  async createCors(space: string, body: unknown): Promise<CorsConfig> {
    const cors = await this.#extend('cors', 'create', space, validateCors(body, space), body);
    if (await this.#find('cors', space, cors.corsId)) throw alreadyExists('cors', cors.corsId);
    return this.#create('cors', space, cors.corsId, cors);
  }

  /** Validate (400), exists (404), `method` and `path` unchanged (400). The id comes from the URL. */
  async updateCors(space: string, id: string, body: unknown): Promise<CorsConfig> {
    const cors = await this.#extend('cors', 'update', space, { ...validateCors(body, space), corsId: id }, body);
    const old = await this.getCors(space, id);
    if (cors.method !== old.method) throw invalidUpdate('Method', 'CORS configuration');
    if (cors.path !== old.path) throw invalidUpdate('Path', 'CORS configuration');
    return this.#update('cors', space, id, cors);
  }

  deleteCors(space: string, id: string): Promise<void> {
    return this.#delete('cors', space, id);
  }

  /** Plugins' fields (`hooks.configResource`), after core's validation. */
  async #extend<K extends ResourceKind>(kind: K, op: 'create' | 'update', space: string, resource: ResourceOf<K>, body: unknown): Promise<ResourceOf<K>> {
    if (!this.#extendResource) return resource;
    const input: ConfigResourceInput = { kind, op, space, body: isRecord(body) ? body : {} };
    return (await this.#extendResource(resource, input)) as ResourceOf<K>;
  }

  // ---- store access: every store failure becomes GW_ERR_STORE (500)

  async #call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      if (isGatewayError(err)) throw err;
      throw new GatewayError('GW_ERR_STORE', `Config store error: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  async #find<K extends ResourceKind>(kind: K, space: string, id: string): Promise<ResourceOf<K> | undefined> {
    const entry = await this.#call(() => this.#store.get<ResourceOf<K>>(kind, space, id));
    return entry?.value;
  }

  async #get<K extends ResourceKind>(kind: K, space: string, id: string): Promise<ResourceOf<K>> {
    const found = await this.#find(kind, space, id);
    if (found === undefined) throw notFound(kind, id);
    return found;
  }

  async #list<K extends ResourceKind>(kind: K, space: string, filters: readonly MetadataFilter[] = []): Promise<ResourceOf<K>[]> {
    const entries = await this.#call(() => this.#store.list<ResourceOf<K>>(kind, space));
    const values = entries.map((e) => e.value);
    return filters.length === 0 ? values : values.filter((v) => matchesMetadata(v.metadata, filters));
  }

  async #create<K extends ResourceKind>(kind: K, space: string, id: string, value: ResourceOf<K>): Promise<ResourceOf<K>> {
    const entry = await this.#call(() => this.#store.create(kind, space, id, value));
    if (entry === undefined) throw alreadyExists(kind, id); // created concurrently since the check
    this.#logger?.debug({ kind, space, id }, 'config resource created');
    return value;
  }

  async #update<K extends ResourceKind>(kind: K, space: string, id: string, value: ResourceOf<K>): Promise<ResourceOf<K>> {
    const entry = await this.#call(() => this.#store.update(kind, space, id, value));
    if (entry === undefined) throw notFound(kind, id); // deleted concurrently since the check
    this.#logger?.debug({ kind, space, id }, 'config resource updated');
    return value;
  }

  async #delete(kind: ResourceKind, space: string, id: string): Promise<void> {
    if (!(await this.#call(() => this.#store.delete(kind, space, id)))) throw notFound(kind, id);
    this.#logger?.debug({ kind, space, id }, 'config resource deleted');
  }
}

type ResourceOf<K extends ResourceKind> = ResourceByKind[K];

