/**
 * Decoding, normalising and validating Config API resources, with the original's messages (reference §2, §3):
 * `<Resource> doesn't validate. Validation error: <v>`, where `<v>` is Go's JSON error or go-playground/validator
 * v9 text (`Key: 'Subscription.Type' Error:Field validation for 'Type' failed on the 'required' tag`, several
 * joined with `\n`). Functions are in `functions.ts`.
 *
 * Every validator takes the decoded JSON body (`unknown`: anything `JSON.parse` or a YAML loader gives) and the
 * space from the URL, which always overwrites the body's. Outputs have the original's field order and omit empty
 * `metadata` and `authorizerId`.
 */
import { GatewayError } from '../errors.ts';
import type { CorsConfig, EventType, Metadata, ResourceKind, Subscription, SubscriptionType } from '../resources.ts';
import { HTTP_METHODS } from '../resources.ts';
import { decodeStruct, setOwn, type Decoded, type StructSpec } from './go-decode.ts';
import { fieldError, isAbsPath, NAME_PATTERN, runeCount } from './go-format.ts';
import { decodeGoJson } from './go-json.ts';
import { corsId, subscriptionId } from './ids.ts';
import { parseRetryPolicy } from './retry-policy.ts';

/** The message prefix of each resource's validation errors. */
export const VALIDATION_PREFIX: Readonly<Record<ResourceKind, string>> = {
  eventtypes: "Event Type doesn't validate. Validation error: ",
  functions: "Function doesn't validate. Validation error: ",
  subscriptions: "Subscription doesn't validate. Validation error: ",
  cors: "CORS configuration doesn't validate. Validation error: ",
};

/** A 400 `GW_ERR_VALIDATION` with the resource's prefix. */
export function validationError(kind: ResourceKind, message: string): GatewayError {
  return new GatewayError('GW_ERR_VALIDATION', VALIDATION_PREFIX[kind] + message);
}

/** Read a request body like Go's `json.Decoder`; a malformed one is the resource's validation error (`…: unexpected EOF`). */
export function parseBody(kind: ResourceKind, body: Uint8Array): unknown {
  const result = decodeGoJson(body);
  if (!result.ok) throw validationError(kind, result.error);
  return result.value;
}

/** Decode `body` into `spec`, or throw the resource's validation error with Go's message. */
export function decode(kind: ResourceKind, body: unknown, spec: StructSpec): Decoded {
  const result = decodeStruct(body, spec);
  if (!result.ok) throw validationError(kind, result.error);
  return result.fields;
}

/** Throw the joined validator errors, if any. */
export function check(kind: ResourceKind, errors: readonly (string | undefined)[]): void {
  const found = errors.filter((e): e is string => e !== undefined);
  if (found.length > 0) throw validationError(kind, found.join('\n'));
}

/** `validate:"required,min=3,space"` (reference §2). */
export function spaceError(struct: string, space: string): string | undefined {
  if (space === '') return fieldError(struct, 'Space', 'required');
  if (runeCount(space) < 3) return fieldError(struct, 'Space', 'min');
  if (!NAME_PATTERN.test(space)) return fieldError(struct, 'Space', 'space');
  return undefined;
}

/** A copy of decoded metadata with Go's key order (sorted), or `undefined` when empty (`omitempty`). */
export function outputMetadata(value: unknown): Metadata | undefined {
  if (value === undefined || value === null) return undefined;
  const entries = Object.entries(value as Metadata);
  if (entries.length === 0) return undefined;
  const out: Metadata = {};
  for (const [key, v] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) setOwn(out, key, v);
  return out;
}

function str(fields: Decoded, name: string): string {
  const value = fields[name];
  return typeof value === 'string' ? value : '';
}

const METHODS_TAG = HTTP_METHODS.map((m) => `eq=${m}`).join('|');
const isMethod = (m: string): boolean => (HTTP_METHODS as readonly string[]).includes(m);

const EVENT_TYPE: StructSpec = {
  goType: 'event.Type',
  fields: {
    space: { kind: 'string', goType: 'string' },
    name: { kind: 'string', goType: 'event.TypeName' },
    authorizerId: { kind: 'string', goType: 'function.ID' },
    metadata: { kind: 'metadata' },
  },
};

/** An event type from a create body, or (with `name` from the URL) an update body. An empty `authorizerId` is none. */
export function validateEventType(body: unknown, space: string, name?: string): EventType {
  const fields = decode('eventtypes', body, EVENT_TYPE);
  const typeName = name ?? str(fields, 'name');
  check('eventtypes', [spaceError('Type', space), typeName === '' ? fieldError('Type', 'Name', 'required') : undefined]);
  const out: EventType = { space, name: typeName };
  const authorizerId = str(fields, 'authorizerId');
  if (authorizerId !== '') out.authorizerId = authorizerId;
  const metadata = outputMetadata(fields['metadata']);
  if (metadata) out.metadata = metadata;
  return out;
}

const SUBSCRIPTION: StructSpec = {
  goType: 'subscription.Subscription',
  fields: {
    space: { kind: 'string', goType: 'string' },
    subscriptionId: { kind: 'string', goType: 'subscription.ID' },
    type: { kind: 'string', goType: 'subscription.Type' },
    eventType: { kind: 'string', goType: 'event.TypeName' },
    functionId: { kind: 'string', goType: 'function.ID' },
    path: { kind: 'string', goType: 'string' },
    method: { kind: 'string', goType: 'string' },
    metadata: { kind: 'metadata' },
  },
};

/**
 * A subscription, normalised (a leading `/` added to `path`, default `/`; `method` upper-cased, default `POST`),
 * validated, and with its deterministic id. Switchyard's optional `retryPolicy` is checked by `retry-policy.ts`.
 */
export function validateSubscription(body: unknown, space: string): Subscription {
  const fields = decode('subscriptions', body, SUBSCRIPTION);
  const rawPath = str(fields, 'path');
  const path = rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
  const rawMethod = str(fields, 'method');
  const method = rawMethod === '' ? 'POST' : rawMethod.toUpperCase();
  const type = str(fields, 'type');
  const eventType = str(fields, 'eventType');
  const functionId = str(fields, 'functionId');
  const S = 'Subscription';
  check('subscriptions', [
    spaceError(S, space),
    type === '' ? fieldError(S, 'Type', 'required') : type !== 'async' && type !== 'sync' ? fieldError(S, 'Type', 'eq=async|eq=sync') : undefined,
    eventType === '' ? fieldError(S, 'EventType', 'required') : !NAME_PATTERN.test(eventType) ? fieldError(S, 'EventType', 'eventType') : undefined,
    functionId === '' ? fieldError(S, 'FunctionID', 'required') : undefined,
    isAbsPath(path) ? undefined : fieldError(S, 'Path', 'urlPath'),
    isMethod(method) ? undefined : fieldError(S, 'Method', METHODS_TAG),
  ]);
  const sub = { type: type as SubscriptionType, eventType, functionId, path, method };
  const out: Subscription = { space, subscriptionId: subscriptionId(sub), ...sub };
  const metadata = outputMetadata(fields['metadata']);
  if (metadata) out.metadata = metadata;
  const retryPolicy = parseRetryPolicy(body);
  if (retryPolicy) out.retryPolicy = retryPolicy;
  return out;
}

const CORS: StructSpec = {
  goType: 'cors.CORS',
  fields: {
    space: { kind: 'string', goType: 'string' },
    corsId: { kind: 'string', goType: 'cors.ID' },
    method: { kind: 'string', goType: 'string' },
    path: { kind: 'string', goType: 'string' },
    allowedOrigins: { kind: 'strings' },
    allowedMethods: { kind: 'strings' },
    allowedHeaders: { kind: 'strings' },
    allowCredentials: { kind: 'bool' },
    metadata: { kind: 'metadata' },
  },
};

const CORS_DEFAULTS = {
  allowedOrigins: ['*'],
  allowedMethods: ['HEAD', 'GET', 'POST'],
  allowedHeaders: ['Origin', 'Accept', 'Content-Type'],
} as const;

function list(fields: Decoded, name: keyof typeof CORS_DEFAULTS): string[] {
  const value = fields[name];
  return Array.isArray(value) && value.length > 0 ? (value as string[]) : [...CORS_DEFAULTS[name]];
}

/**
 * A CORS configuration with the defaults for empty lists, validated (`method` exactly one of the seven, not
 * upper-cased; `path` absolute, not prefixed), and with its id `method + PathEscape(path)`.
 */
export function validateCors(body: unknown, space: string): CorsConfig {
  const fields = decode('cors', body, CORS);
  const method = str(fields, 'method');
  const path = str(fields, 'path');
  check('cors', [
    spaceError('CORS', space),
    isMethod(method) ? undefined : fieldError('CORS', 'Method', METHODS_TAG),
    isAbsPath(path) ? undefined : fieldError('CORS', 'Path', 'path'),
  ]);
  const out: CorsConfig = {
    space,
    corsId: corsId(method, path),
    method,
    path,
    allowedOrigins: list(fields, 'allowedOrigins'),
    allowedMethods: list(fields, 'allowedMethods'),
    allowedHeaders: list(fields, 'allowedHeaders'),
    allowCredentials: fields['allowCredentials'] === true,
  };
  const metadata = outputMetadata(fields['metadata']);
  if (metadata) out.metadata = metadata;
  return out;
}
