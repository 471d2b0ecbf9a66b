/**
 * The routing table: an in-memory view of the config store, kept current by `store.watch` (the Events API never
 * reads the store on the request path, as in the original). Lookups cost the same whatever the number of
 * subscriptions: sync routes sit in one path tree per (scope, method, event type); async routes in one map keyed
 * by (scope, method, path, event type); CORS in one path tree per (scope, method).
 *
 * Scope is the space when a space strategy isolates spaces, and '' otherwise (global routing, as the original).
 */
import type { CorsConfig, EventType, FunctionConfig, Subscription } from '../resources.ts';
import type { StoreChange } from '../store.ts';
import type { Logger } from '../logger.ts';
import { PathTree } from './path-tree.ts';

export interface SyncMatch {
  readonly subscription: Subscription;
  readonly params: Record<string, string> | null;
}

const SEP = '\u0000';

export class RoutingTable {
  readonly #scoped: boolean;
  readonly #logger: Logger;
  readonly #functions = new Map<string, FunctionConfig>();
  readonly #eventTypes = new Map<string, EventType>();
  /** Event types by name, then by space (for `eventTypeFor` in global routing). */
  readonly #eventTypesByName = new Map<string, Map<string, EventType>>();
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #cors = new Map<string, CorsConfig>();
  readonly #syncTrees = new Map<string, PathTree<Subscription>>();
  readonly #asyncRoutes = new Map<string, Map<string, Subscription>>();
  readonly #corsTrees = new Map<string, PathTree<CorsConfig>>();
  /** Async subscriptions on `POST /` (where system events are delivered) counted by event type, in every space. */
  readonly #rootTypes = new Map<string, number>();
  /** Set on every applied change; lets tests and cluster code see how fresh the table is. */
  lastChangeAt = 0;

  constructor(options: { scoped: boolean; logger: Logger }) {
    this.#scoped = options.scoped;
    this.#logger = options.logger;
  }

  /** Apply one store change. Never throws: a bad entry is logged and skipped. */
  apply(change: StoreChange): void {
    this.lastChangeAt = Date.now();
    const key = change.op === 'put' ? change.entry : change.key;
    const id = `${key.space}${SEP}${key.id}`;
    try {
      switch (key.kind) {
        case 'functions':
          return setOrDelete(this.#functions, id, change);
        case 'eventtypes':
          setOrDelete(this.#eventTypes, id, change);
          return this.#indexEventType(change);
        case 'subscriptions':
          this.#removeSubscription(id);
          if (change.op === 'put') this.#addSubscription(id, change.entry.value as Subscription);
          return;
        case 'cors':
          this.#removeCors(id);
          if (change.op === 'put') this.#addCors(id, change.entry.value as CorsConfig);
          return;
        default:
          return;
      }
    } catch (err) {
      this.#logger.error({ err, kind: key.kind, space: key.space, id: key.id }, 'config entry not applied to routing');
    }
  }

  function(space: string, functionId: string): FunctionConfig | undefined {
    return this.#functions.get(`${space}${SEP}${functionId}`);
  }

  eventType(space: string, name: string): EventType | undefined {
    return this.#eventTypes.get(`${space}${SEP}${name}`);
  }

  /**
   * The event type definition that applies to an event of `space`: that space's when spaces are isolated; in global
   * routing the `default` space's, or else the first space (by name) that registered the type.
   */
  eventTypeFor(space: string, name: string): EventType | undefined {
    if (this.#scoped) return this.eventType(space, name);
    const spaces = this.#eventTypesByName.get(name);
    if (!spaces) return undefined;
    const own = spaces.get(space) ?? spaces.get('default');
    if (own) return own;
    let first: EventType | undefined;
    for (const [s, definition] of spaces) if (first === undefined || s < first.space) first = definition;
    return first;
  }

  subscription(space: string, subscriptionId: string): Subscription | undefined {
    return this.#subscriptions.get(`${space}${SEP}${subscriptionId}`);
  }

  /** The sync subscription for (method, path, event type), with path parameters. */
  sync(space: string, method: string, path: string, eventType: string): SyncMatch | undefined {
    const tree = this.#syncTrees.get(this.#scope(space) + SEP + method + SEP + eventType);
    const found = tree?.resolve(path);
    return found ? { subscription: found.value, params: found.params } : undefined;
  }

  /** Async subscriptions for (method, exact path, event type), each once. */
  async(space: string, method: string, path: string, eventType: string): Iterable<Subscription> {
    return this.#asyncRoutes.get(this.#scope(space) + SEP + method + SEP + path + SEP + eventType)?.values() ?? [];
  }

  /** Whether any space has an async subscription to `eventType` on `POST /` (where system events are delivered). */
  hasRootSubscriptions(eventType: string): boolean {
    return this.#rootTypes.has(eventType);
  }

  cors(space: string, method: string, path: string): CorsConfig | undefined {
    return this.#corsTrees.get(this.#scope(space) + SEP + method)?.resolve(path)?.value;
  }

  #indexEventType(change: StoreChange): void {
    const key = change.op === 'put' ? change.entry : change.key;
    if (change.op === 'put') {
      const value = change.entry.value as EventType;
      getOrCreate(this.#eventTypesByName, value.name, () => new Map()).set(key.space, value);
      return;
    }
    const spaces = this.#eventTypesByName.get(key.id);
    spaces?.delete(key.space);
    if (spaces?.size === 0) this.#eventTypesByName.delete(key.id);
  }

  #scope(space: string): string {
    return this.#scoped ? space : '';
  }

  #addSubscription(id: string, sub: Subscription): void {
    this.#subscriptions.set(id, sub);
    const scope = this.#scope(sub.space);
    if (sub.type === 'sync') {
      const treeKey = scope + SEP + sub.method + SEP + sub.eventType;
      const tree = getOrCreate(this.#syncTrees, treeKey, () => new PathTree<Subscription>());
      try {
        tree.add(sub.path, sub);
      } catch (err) {
        // Another space holds the same route while routing is global: the first one keeps it (reference §7).
        this.#logger.error({ err, subscriptionId: sub.subscriptionId, space: sub.space }, 'sync subscription not routable');
      }
      return;
    }
    const routeKey = scope + SEP + sub.method + SEP + sub.path + SEP + sub.eventType;
    getOrCreate(this.#asyncRoutes, routeKey, () => new Map()).set(id, sub);
    if (sub.method === 'POST' && sub.path === '/') this.#rootTypes.set(sub.eventType, (this.#rootTypes.get(sub.eventType) ?? 0) + 1);
  }

  #removeSubscription(id: string): void {
    const old = this.#subscriptions.get(id);
    if (!old) return;
    this.#subscriptions.delete(id);
    const scope = this.#scope(old.space);
    if (old.type === 'sync') {
      const tree = this.#syncTrees.get(scope + SEP + old.method + SEP + old.eventType);
      if (tree?.resolve(old.path)?.value === old) tree.delete(old.path);
      return;
    }
    const routeKey = scope + SEP + old.method + SEP + old.path + SEP + old.eventType;
    const routes = this.#asyncRoutes.get(routeKey);
    routes?.delete(id);
    if (routes?.size === 0) this.#asyncRoutes.delete(routeKey);
    if (old.method === 'POST' && old.path === '/') {
      const count = (this.#rootTypes.get(old.eventType) ?? 1) - 1;
      if (count > 0) this.#rootTypes.set(old.eventType, count);
      else this.#rootTypes.delete(old.eventType);
    }
  }

  #addCors(id: string, cors: CorsConfig): void {
    this.#cors.set(id, cors);
    const tree = getOrCreate(this.#corsTrees, this.#scope(cors.space) + SEP + cors.method, () => new PathTree<CorsConfig>());
    tree.add(cors.path, cors);
  }

  #removeCors(id: string): void {
    const old = this.#cors.get(id);
    if (!old) return;
    this.#cors.delete(id);
    const tree = this.#corsTrees.get(this.#scope(old.space) + SEP + old.method);
    if (tree?.resolve(old.path)?.value === old) tree.delete(old.path);
  }
}

function setOrDelete<T>(map: Map<string, T>, id: string, change: StoreChange): void {
  if (change.op === 'put') map.set(id, change.entry.value as T);
  else map.delete(id);
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

