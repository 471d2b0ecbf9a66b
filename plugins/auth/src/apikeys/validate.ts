/**
 * The API key resource: what is stored (kind `apikeys`, id = keyId), what the Config API shows, and the checks on
 * `POST /v1/spaces/:space/apikeys` with the Config API's message style (`API key doesn't validate. Validation
 * error: …`, 400). Unknown body fields are ignored, as everywhere in the Config API; an empty body is `{}`.
 */
import { GatewayError } from '@switchyard/core';

/** What the store holds. Only the hash of the key is kept. */
export interface StoredApiKey {
  readonly space: string;
  readonly keyId: string;
  readonly name?: string;
  readonly eventTypes?: readonly string[];
  readonly metadata?: Readonly<Record<string, string>>;
  readonly createdAt: string;
  /** `sha256:<hex>` of the whole key. */
  readonly hash: string;
}

/** What the Config API shows: the stored resource without its hash. */
export type ApiKeyView = Omit<StoredApiKey, 'hash'>;

export interface ApiKeyInput {
  readonly name?: string;
  readonly eventTypes?: readonly string[];
  readonly metadata?: Readonly<Record<string, string>>;
}

export const VALIDATION_PREFIX = "API key doesn't validate. Validation error: ";
const SPACE_PATTERN = /^[a-zA-Z0-9.\-_]+$/;
const MAX_NAME = 256;
const MAX_EVENT_TYPES = 1000;

function invalid(message: string): GatewayError {
  return new GatewayError('GW_ERR_VALIDATION', VALIDATION_PREFIX + message);
}

function fieldError(field: string, tag: string): string {
  return `Key: 'APIKey.${field}' Error:Field validation for '${field}' failed on the '${tag}' tag`;
}

/** The space rule of every Config API create (`required,min=3,space`). */
export function checkSpace(space: string): void {
  if (space === '') throw invalid(fieldError('Space', 'required'));
  if ([...space].length < 3) throw invalid(fieldError('Space', 'min'));
  if (!SPACE_PATTERN.test(space)) throw invalid(fieldError('Space', 'space'));
}

/** Parse and check a create body. */
export function parseApiKeyInput(raw: Buffer): ApiKeyInput {
  const text = raw.toString('utf8').trim();
  let body: unknown = {};
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw invalid(`malformed JSON: ${(err as Error).message}`);
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('the body must be a JSON object');
  const { name, eventTypes, metadata } = body as Record<string, unknown>;
  const out: { name?: string; eventTypes?: string[]; metadata?: Record<string, string> } = {};
  if (name !== undefined && name !== null) {
    if (typeof name !== 'string') throw invalid('"name" must be a string');
    if (name.length > MAX_NAME) throw invalid(`"name" must be at most ${MAX_NAME} characters`);
    if (name !== '') out.name = name;
  }
  if (eventTypes !== undefined && eventTypes !== null) {
    if (!Array.isArray(eventTypes) || eventTypes.some((t) => typeof t !== 'string' || t === '')) {
      throw invalid('"eventTypes" must be an array of event type names');
    }
    if (eventTypes.length === 0) throw invalid('"eventTypes" must name at least one event type (omit it to allow every type)');
    if (eventTypes.length > MAX_EVENT_TYPES) throw invalid(`"eventTypes" may name at most ${MAX_EVENT_TYPES} event types`);
    out.eventTypes = [...new Set(eventTypes as string[])];
  }
  if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== 'object' || Array.isArray(metadata)) throw invalid('"metadata" must be an object of strings');
    const entries = Object.entries(metadata as Record<string, unknown>);
    if (entries.some(([, v]) => typeof v !== 'string')) throw invalid('"metadata" must be an object of strings');
    if (entries.length > 0) {
      const sorted: Record<string, string> = {};
      for (const [k, v] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        Object.defineProperty(sorted, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      out.metadata = sorted;
    }
  }
  return out;
}

/** The stored resource without its hash, fields in API order. */
export function view(stored: StoredApiKey): ApiKeyView {
  return {
    space: stored.space,
    keyId: stored.keyId,
    ...(stored.name === undefined ? {} : { name: stored.name }),
    ...(stored.eventTypes === undefined ? {} : { eventTypes: stored.eventTypes }),
    ...(stored.metadata === undefined ? {} : { metadata: stored.metadata }),
    createdAt: stored.createdAt,
  };
}

/** `API key "<id>" not found.` (404). */
export function keyNotFound(keyId: string): GatewayError {
  return new GatewayError('GW_ERR_NOT_FOUND', `API key ${JSON.stringify(keyId)} not found.`);
}
