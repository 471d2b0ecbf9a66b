/**
 * @switchyard/core: the public surface. Named exports only; types on their own lines.
 */
export { Gateway, VERSION, DEFAULT_MAX_HOPS } from './gateway.ts';
export type { GatewayOptions, ListenOptions, GatewayAddresses } from './gateway.ts';

export { createHooks, Stage } from './hooks.ts';
export type { GatewayHooks, InvokeHook, ConfigResource, ConfigResourceInput, DeliveryEvent } from './hooks.ts';

export { GatewayError, ERRORS, FUNCTION_CALL_FAILED, errorBody, isGatewayError } from './errors.ts';
export type { ErrorCode, ErrorDetail, GatewayErrorOptions } from './errors.ts';

export { applyPlugin } from './plugin.ts';
export type { GatewayPlugin, PluginMeta } from './plugin.ts';

export { providerPlugin } from './provider.ts';
export type { Provider, ProviderConfigValidator } from './provider.ts';

export {
  HTTP_REQUEST_EVENT, SYSTEM_EVENT_PREFIX, SystemEventType, GATEWAY_EVENT_SOURCE, HOP_EXTENSION, isSystemEventType, isRecord, hopsOf, setHops,
} from './event.ts';
export type { CloudEvent, SpecVersion, HttpRequestData } from './event.ts';

export { encodeStructured, encodeBinary, toV01, wireEvent, STRUCTURED_CONTENT_TYPE } from './encode.ts';
export { parseRequest, newGatewayEvent, httpRequestData, flattenHeaders, canonicalHeaderKey } from './receive/index.ts';
export type { ParseOptions, GatewayEventOptions } from './receive/index.ts';

export type {
  EventContext, EventState, IncomingRequest, ReceivedEvents, Route, Routes, Invocation, InvokeResult, HttpReply,
} from './context.ts';
export type {
  EventType, FunctionConfig, Subscription, SubscriptionType, CorsConfig, Metadata, ResourceKind,
} from './resources.ts';
export { RESOURCE_KINDS, HTTP_METHODS } from './resources.ts';

export type { ConfigStore, StoreEntry, StoreKey, StoreChange, StoreListener } from './store.ts';
export type { DeliveryQueue, Delivery, DeliveryOutcome, DeliveryHandler, DeliveryObserver, RetryPolicy } from './queue.ts';
export { DEFAULT_RETRY_POLICY, backoffDelay, mayRetry, mergeRetryPolicy } from './queue.ts';
export { DeadLetters, DEAD_LETTER_KIND } from './dead-letters.ts';
export type { DeadLetter, DeadLetterRecord, DeadLetterApi, DeadLettersDeps, RedriveResult } from './dead-letters.ts';
export { parseRetryPolicy, checkSystemEventCycle, RETRY_POLICY_LIMITS } from './config/retry-policy.ts';
export type { SystemBus, BusHandler } from './bus.ts';
export { subjectMatches, systemEventSubject, DEFAULT_SUBJECT_PREFIX } from './bus.ts';

export { MemoryStore } from './embedded/memory-store.ts';
export { FileStore } from './embedded/file-store.ts';
export { MemoryQueue } from './embedded/memory-queue.ts';
export type { MemoryQueueOptions } from './embedded/memory-queue.ts';
export { MemoryBus } from './embedded/memory-bus.ts';

export { RoutingTable } from './routing/table.ts';
export { PathTree } from './routing/path-tree.ts';
export { pathEscape, subscriptionId, corsId } from './config/ids.ts';
export { createConfigApp } from './config/app.ts';
export type { ConfigApiDeps } from './config/app.ts';
export { ConfigService } from './config/service.ts';
export type { ConfigServiceOptions, ResourceExtender, MetadataFilter } from './config/service.ts';
export { builtinProviderValidators } from './config/functions.ts';
export type { SpaceStrategy } from './http/space.ts';

export type { Logger } from './logger.ts';
export { consoleLogger } from './logger.ts';
