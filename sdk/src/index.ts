/**
 * @switchyard/sdk: the typed client of Switchyard's Config API and Events API, for Node ≥ 20 and browsers.
 *
 * ```ts
 * const sy = new Switchyard({ configUrl: 'http://localhost:4001', eventsUrl: 'http://localhost:4000' });
 * await sy.functions.create({ functionId: 'hello', type: 'http', provider: { url: 'http://localhost:3000/' } });
 * await sy.emit({ type: 'user.created', source: '/signup', data: { name: 'Ada' } });
 * ```
 */
export { Switchyard } from './client.ts';
export type { CallOptions, EmitOptions, HttpReply, SpaceStrategy, SwitchyardOptions } from './client.ts';
export { DeadLettersClient } from './config.ts';
export type {
  ApiKeysClient, CorsClient, DeadLetterFilter, DeadLettersApi, EventTypesClient, FunctionsClient, SpaceCollections,
  SubscriptionsClient,
} from './config.ts';
export { isSwitchyardError, SwitchyardError } from './errors.ts';
export type { ErrorEntry, SwitchyardErrorInit, SwitchyardErrorKind } from './errors.ts';
export { decodeBody, encodeEvent, isJsonMediaType } from './events.ts';
export type { CloudEventInput, CloudEventV01Input, EmitMode, EmittableEvent, EncodedEvent, ResponseType } from './events.ts';
export type { FetchLike, HeadersLike, RequestOptions } from './http.ts';
export { corsId, pathEscape, subscriptionId } from './ids.ts';
export type { SubscriptionIdParts } from './ids.ts';
export { ResourceClient } from './resource.ts';
export type { CollectionSpec, ConfigContext } from './resource.ts';
export type {
  ApiKey, ApiKeyInput, AwsCredentialsConfig, CorsConfig, CorsInput, DeadLetter, EventType, EventTypeInput, EventTypeUpdate,
  FunctionConfig, FunctionInput, FunctionType, FunctionUpdate, HttpMethod, HttpProviderConfig, JsonSchema, ListFilter,
  Metadata, NewApiKey, ProviderConfig, RedriveResult, RetryPolicy, Subscription, SubscriptionInput, SubscriptionType,
} from './types.ts';
