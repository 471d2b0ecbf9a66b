/**
 * The resource fields this plugin adds, and their checks on the Config API (`hooks.configResource`).
 *
 * A field is stored only when the request sent it (null counts as absent), after the resource's core fields, so
 * resources without them stay exactly as the original returns them. An update replaces the whole resource: a PUT
 * without `filter` removes the filter.
 */
import { GatewayError, isSystemEventType } from '@switchyard/core';
import type { ConfigResource, ConfigResourceInput, EventType, ResourceKind, Subscription } from '@switchyard/core';
import { ExpressionError } from './expressions.ts';

declare module '@switchyard/core' {
  interface Subscription {
    /** JSONata over the event (1.0 shape); the target gets the event only when the result is truthy. */
    filter?: string;
    /** JSONata over the event (1.0 shape) producing the `data` the function receives. */
    transform?: string;
    /** Sync only: JSONata over `{statusCode, headers, body}` of the function's reply producing the HTTP reply. */
    responseTransform?: string;
  }
  interface EventType {
    /** JSONata over the event (1.0 shape) producing its new `data`, before routing. */
    transform?: string;
  }
}

/** The expression fields of each resource kind. */
export const EXPRESSION_FIELDS: Readonly<Partial<Record<ResourceKind, readonly string[]>>> = {
  eventtypes: ['transform'],
  subscriptions: ['filter', 'transform', 'responseTransform'],
};

/** The original's prefixes (`<Resource> doesn't validate. Validation error: `), so messages read like core's. */
const PREFIX: Readonly<Partial<Record<ResourceKind, string>>> = {
  eventtypes: "Event Type doesn't validate. Validation error: ",
  subscriptions: "Subscription doesn't validate. Validation error: ",
};

/** The longest expression accepted, in characters. */
export const MAX_EXPRESSION_LENGTH = 16 * 1024;

function invalid(kind: ResourceKind, message: string, cause?: unknown): GatewayError {
  return new GatewayError('GW_ERR_VALIDATION', `${PREFIX[kind] ?? ''}${message}`, cause === undefined ? {} : { cause });
}

/**
 * Check the expression fields of `input.body` and return the resource with them added (or `resource` itself when
 * there are none). `compile` throws an `ExpressionError` for a syntax error: that becomes a 400 naming the field.
 */
export function addExpressionFields(resource: ConfigResource, input: ConfigResourceInput, compile: (source: string) => void): ConfigResource {
  const fields = EXPRESSION_FIELDS[input.kind];
  if (fields === undefined) return resource;
  let added: Record<string, string> | undefined;
  for (const field of fields) {
    const value = input.body[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw invalid(input.kind, `${field}: must be a string holding a JSONata expression`);
    if (value.trim() === '') throw invalid(input.kind, `${field}: must not be empty`);
    if (value.length > MAX_EXPRESSION_LENGTH) throw invalid(input.kind, `${field}: longer than ${MAX_EXPRESSION_LENGTH} characters`);
    if (field === 'responseTransform' && input.kind === 'subscriptions' && (resource as Subscription).type !== 'sync') {
      throw invalid(input.kind, 'responseTransform: only sync subscriptions have a reply to transform');
    }
    // Core delivers system events without the transform and prepare stages: refuse rather than ignore.
    if (isSystemEventType(input.kind === 'subscriptions' ? (resource as Subscription).eventType : (resource as EventType).name)) {
      throw invalid(input.kind, `${field}: not applied to system events (eventgateway.*)`);
    }
    try {
      compile(value);
    } catch (err) {
      if (err instanceof ExpressionError) throw invalid(input.kind, `${field}: ${err.message}`, err);
      throw err;
    }
    (added ??= {})[field] = value;
  }
  return added === undefined ? resource : ({ ...resource, ...added });
}
