/**
 * The shapes of the Config API's resources as the server returns them, and of what it accepts. Field names and
 * order follow the Serverless Event Gateway (reference §3); Switchyard's additions are optional fields.
 */

/** `metadata` of every resource: string values only. Omitted from replies when empty. */
export type Metadata = Record<string, string>;

/** A JSON Schema (draft-07 or 2020-12) for an event type's `data` (`@switchyard/plugin-validation`). */
export type JsonSchema = Record<string, unknown> | boolean;

// ---- event types

export interface EventType {
  space: string;
  name: string;
  /** A function of the same space that authorizes events of this type. */
  authorizerId?: string;
  metadata?: Metadata;
  /** JSON Schema the events' `data` must match (plugin-validation). */
  schema?: JsonSchema;
  /** JSONata expression producing the events' new `data`, before routing (plugin-transform). */
  transform?: string;
}

/** What `eventTypes.update` sends: the whole event type but its name (an update replaces every field). */
export interface EventTypeUpdate {
  authorizerId?: string;
  metadata?: Metadata;
  schema?: JsonSchema;
  transform?: string;
}

/** What `eventTypes.create` sends. */
export interface EventTypeInput extends EventTypeUpdate {
  /** Any string: the server puts no pattern on event type names (a subscription's `eventType` has one). */
  name: string;
}

// ---- functions

/** Function types of the default distribution; a custom provider adds its own. */
export type FunctionType =
  | 'http' | 'awslambda' | 'awssqs' | 'awskinesis' | 'awsfirehose' | 'weighted' | 'nats' | (string & {});

/** `provider` of an `http` function (`@switchyard/provider-http`). */
export interface HttpProviderConfig {
  /** Absolute `http(s)` URL. */
  url: string;
  /** Deadline of one call in ms. */
  timeout?: number;
  /** Deliver events in CloudEvents binary mode instead of structured. */
  binary?: boolean;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/** AWS credentials a provider config may carry (else the AWS default chain applies). */
export interface AwsCredentialsConfig {
  region: string;
  awsAccessKeyId?: string;
  awsSecretAccessKey?: string;
  awsSessionToken?: string;
}

/** Any provider's config: the known shapes, or what a custom provider accepts. */
export type ProviderConfig =
  | HttpProviderConfig
  | (AwsCredentialsConfig & { arn: string })
  | (AwsCredentialsConfig & { queueUrl: string })
  | (AwsCredentialsConfig & { streamName: string })
  | (AwsCredentialsConfig & { deliveryStreamName: string })
  | Record<string, unknown>;

export interface FunctionConfig {
  space: string;
  /** `^[a-zA-Z0-9.\-_]+$` */
  functionId: string;
  type: FunctionType;
  provider: ProviderConfig;
  metadata?: Metadata;
}

/** What `functions.update` sends (the id comes from the URL). */
export interface FunctionUpdate {
  type: FunctionType;
  provider: ProviderConfig;
  metadata?: Metadata;
}

/** What `functions.create` sends. */
export interface FunctionInput extends FunctionUpdate {
  functionId: string;
}

// ---- subscriptions

export type SubscriptionType = 'sync' | 'async';
export type HttpMethod = 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH' | 'HEAD' | 'OPTIONS';

/** Delivery policy of an async subscription; fields left out come from the gateway's default. */
export interface RetryPolicy {
  /** Attempts in all, the first included: 1–100. */
  maxAttempts?: number;
  /** Smallest delay between attempts in ms: 1 to 1 hour. */
  minBackoffMs?: number;
  /** Largest delay between attempts in ms: 1 to 1 day; not below `minBackoffMs`. */
  maxBackoffMs?: number;
  /** A delivery older than this (ms, up to 7 days) is dead-lettered instead of retried. */
  maxAgeMs?: number;
}

export interface Subscription {
  space: string;
  /** Deterministic: see `subscriptionId()`. */
  subscriptionId: string;
  type: SubscriptionType;
  eventType: string;
  functionId: string;
  /** Normalised by the server: a leading `/` is added; `/` by default. */
  path: string;
  /** Normalised by the server: upper-cased; `POST` by default. */
  method: HttpMethod;
  metadata?: Metadata;
  retryPolicy?: RetryPolicy;
  /** JSONata: truthy delivers the event to this subscription (plugin-transform). */
  filter?: string;
  /** JSONata producing the `data` this subscription's function receives (plugin-transform). */
  transform?: string;
  /** Sync only, JSONata reshaping the function's reply `{statusCode, headers, body}` (plugin-transform). */
  responseTransform?: string;
}

/**
 * What `subscriptions.create` and `subscriptions.update` send. On update only `metadata` and Switchyard's fields
 * (`retryPolicy`, `filter`, `transform`, `responseTransform`) may change; the rest must be sent unchanged.
 */
export interface SubscriptionInput {
  type: SubscriptionType;
  eventType: string;
  functionId: string;
  path?: string;
  method?: HttpMethod | Lowercase<HttpMethod>;
  metadata?: Metadata;
  retryPolicy?: RetryPolicy;
  filter?: string;
  transform?: string;
  responseTransform?: string;
}

// ---- CORS configurations

export interface CorsConfig {
  space: string;
  /** `method + pathEscape(path)`, e.g. `GET%2Fhello`: see `corsId()`. */
  corsId: string;
  method: HttpMethod;
  path: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  allowCredentials: boolean;
  metadata?: Metadata;
}

/** What `cors.create` and `cors.update` send (`method` and `path` cannot change on update). Empty lists get defaults. */
export interface CorsInput {
  /** Exactly one of the methods, upper-case (not normalised). */
  method: HttpMethod;
  /** Absolute path (not normalised). */
  path: string;
  allowedOrigins?: string[];
  allowedMethods?: string[];
  allowedHeaders?: string[];
  allowCredentials?: boolean;
  metadata?: Metadata;
}

// ---- API keys (@switchyard/plugin-auth)

export interface ApiKey {
  space: string;
  /** 16 hex characters. */
  keyId: string;
  name?: string;
  /** Event types the key may emit; absent: any. */
  eventTypes?: string[];
  metadata?: Metadata;
  createdAt: string;
}

/** The reply to `apiKeys.create`: the only time the secret key is shown. */
export interface NewApiKey extends ApiKey {
  /** `sy_<keyId>_<secret>`: send it as `X-Api-Key` or `Authorization: Bearer` (client option `apiKey`). */
  key: string;
}

export interface ApiKeyInput {
  name?: string;
  eventTypes?: string[];
  metadata?: Metadata;
}

// ---- dead letters

export interface DeadLetter {
  space: string;
  deadLetterId: string;
  subscriptionId: string;
  functionId: string;
  eventType: string;
  reason: string;
  attempts: number;
  /** The function's last HTTP status, when it replied. */
  status?: number;
  /** The last error, when the function gave no reply. */
  error?: string;
  /** ISO 8601. */
  acceptedAt: string;
  deadLetteredAt: string;
  specVersion: '1.0' | '0.1';
  /** The event as the function got it (a 0.1 event in its 0.1 form). */
  event: Record<string, unknown>;
}

export interface RedriveResult {
  deadLetterId: string;
  /** The id of the fresh delivery. */
  deliveryId: string;
}

/** List filters: every `metadata` entry must match exactly (sent as `metadata.<key>=<value>`). */
export interface ListFilter {
  metadata?: Metadata;
}
