/**
 * The Config API's collections, each one `ResourceClient` with its path, list key and id escaping, plus the
 * dead-letter collection's `redrive`.
 */
import type { RequestOptions } from './http.ts';
import { ResourceClient } from './resource.ts';
import type { ConfigContext } from './resource.ts';
import type {
  ApiKey, ApiKeyInput, CorsConfig, CorsInput, DeadLetter, EventType, EventTypeInput, EventTypeUpdate, FunctionConfig,
  FunctionInput, FunctionUpdate, ListFilter, NewApiKey, RedriveResult, Subscription, SubscriptionInput,
} from './types.ts';

/** `/v1/spaces/:space/eventtypes`: ids are event type names (any string; escaped for the URL). */
export type EventTypesClient = ResourceClient<EventType, EventTypeInput, EventTypeUpdate>;
/** `/v1/spaces/:space/functions`. */
export type FunctionsClient = ResourceClient<FunctionConfig, FunctionInput, FunctionUpdate>;
/** `/v1/spaces/:space/subscriptions`: ids are `subscriptionId()`s; an update may change only metadata and Switchyard's fields. */
export type SubscriptionsClient = ResourceClient<Subscription, SubscriptionInput, SubscriptionInput>;
/** `/v1/spaces/:space/cors`: ids are `corsId()`s such as `GET%2Fhello`, sent as they are. */
export type CorsClient = ResourceClient<CorsConfig, CorsInput, CorsInput>;
/** `/v1/spaces/:space/apikeys` (`@switchyard/plugin-auth` with `apiKeys`): keys cannot be updated. */
export type ApiKeysClient = Omit<ResourceClient<ApiKey, ApiKeyInput, never, NewApiKey>, 'update'>;

/** Dead letters of one subscription, or all of the space. */
export interface DeadLetterFilter {
  subscriptionId?: string;
}

/** `/v1/spaces/:space/deadletters`: list (oldest first), get, delete, redrive. */
export class DeadLettersClient extends ResourceClient<DeadLetter, never, never, never, DeadLetterFilter> {
  /**
   * `POST …/deadletters/<id>/redrive` (202): deliver the event again to the same subscription, as a fresh delivery
   * with the subscription's current retry policy. The dead letter is removed once the queue accepted it.
   */
  redrive(id: string, options?: RequestOptions): Promise<RedriveResult> {
    return this.ctx.transport.json<RedriveResult>({
      method: 'POST', url: this.url(id, '/redrive'), headers: this.ctx.headers(false), expect: [202], options,
    });
  }
}
/** The dead-letter collection as the client exposes it (no create or update). */
export type DeadLettersApi = Omit<DeadLettersClient, 'create' | 'update'>;

/** Every collection of one space. */
export interface SpaceCollections {
  readonly eventTypes: EventTypesClient;
  readonly functions: FunctionsClient;
  readonly subscriptions: SubscriptionsClient;
  readonly cors: CorsClient;
  readonly apiKeys: ApiKeysClient;
  readonly deadLetters: DeadLettersApi;
}

export function collections(ctx: ConfigContext): SpaceCollections {
  const resource = <T, C, U, Created = T>(collection: string, listKey: string, escapeId?: (id: string) => string) =>
    new ResourceClient<T, C, U, Created, ListFilter>(ctx, { collection, listKey, ...(escapeId ? { escapeId } : {}) });
  return {
    eventTypes: resource<EventType, EventTypeInput, EventTypeUpdate>('eventtypes', 'eventTypes'),
    functions: resource<FunctionConfig, FunctionInput, FunctionUpdate>('functions', 'functions'),
    subscriptions: resource<Subscription, SubscriptionInput, SubscriptionInput>('subscriptions', 'subscriptions'),
    cors: resource<CorsConfig, CorsInput, CorsInput>('cors', 'cors', (id) => id),
    apiKeys: resource<ApiKey, ApiKeyInput, never, NewApiKey>('apikeys', 'apiKeys'),
    deadLetters: new DeadLettersClient(ctx, {
      collection: 'deadletters',
      listKey: 'deadLetters',
      query: (filter) => new URLSearchParams(filter.subscriptionId === undefined ? {} : { subscriptionId: filter.subscriptionId }),
    }),
  };
}
