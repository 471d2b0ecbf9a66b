/**
 * Config API metrics: which resource and operation a request is (`config_requests_total`, its duration), and how
 * many resources of each kind each space holds (the `*_total` gauges), counted from the store watch.
 */
import type { StoreChange } from '@switchyard/core';
import type { CountedKind } from './metrics.ts';
import { COUNTED_KINDS } from './metrics.ts';

export type ConfigResourceLabel = 'eventtype' | 'function' | 'subscription' | 'cors';
export type ConfigOperation = 'create' | 'get' | 'list' | 'update' | 'delete';

export interface ConfigCall {
  readonly space: string;
  readonly resource: ConfigResourceLabel;
  readonly operation: ConfigOperation;
}

const RESOURCE_LABELS: Readonly<Record<string, ConfigResourceLabel>> = {
  eventtypes: 'eventtype', functions: 'function', subscriptions: 'subscription', cors: 'cors',
};

// The router is case-insensitive and not strict about a trailing slash; so is this.
const RESOURCE_PATH = /^\/v1\/spaces\/([^/]+)\/(eventtypes|functions|subscriptions|cors)(?:\/(.*))?$/i;

/**
 * The resource and operation of a Config API request (method and raw path), as the original labels them; undefined
 * for anything else (status, metrics, spaces, dead letters, a method the resource does not have).
 */
export function configCall(method: string, path: string): ConfigCall | undefined {
  const match = RESOURCE_PATH.exec(path);
  if (match === null) return undefined;
  const resource = RESOURCE_LABELS[(match[2] ?? '').toLowerCase()];
  if (resource === undefined) return undefined;
  const hasId = (match[3] ?? '') !== '';
  const operation = operationOf(method.toUpperCase(), hasId);
  if (operation === undefined) return undefined;
  return { space: decode(match[1] ?? ''), resource, operation };
}

function operationOf(method: string, hasId: boolean): ConfigOperation | undefined {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return hasId ? 'get' : 'list';
    case 'POST':
      return hasId ? undefined : 'create';
    case 'PUT':
      return hasId ? 'update' : undefined;
    case 'DELETE':
      return hasId ? 'delete' : undefined;
    default:
      return undefined;
  }
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Caps the distinct values of a label taken from a request (the space of a Config API call): the first `max` are
 * kept, later new ones become `overflow`, so a client cannot grow the series without bound.
 */
export class BoundedLabel {
  readonly #seen = new Set<string>();
  readonly #max: number;
  readonly #overflow: string;

  constructor(max: number, overflow = '_other') {
    this.#max = max;
    this.#overflow = overflow;
  }

  value(raw: string): string {
    if (this.#seen.has(raw)) return raw;
    if (this.#seen.size >= this.#max) return this.#overflow;
    this.#seen.add(raw);
    return raw;
  }
}

/** Resources per kind and space, kept from the store watch (so right after a restart, and across a cluster). */
export class ResourceCounts {
  readonly #ids = new Map<CountedKind, Map<string, Set<string>>>();

  apply(change: StoreChange): void {
    const key = change.op === 'put' ? change.entry : change.key;
    if (!isCounted(key.kind)) return;
    let spaces = this.#ids.get(key.kind);
    if (spaces === undefined) this.#ids.set(key.kind, spaces = new Map<string, Set<string>>());
    let ids = spaces.get(key.space);
    if (ids === undefined) spaces.set(key.space, ids = new Set());
    if (change.op === 'put') ids.add(key.id);
    else ids.delete(key.id);
  }

  /** Count per space; a space whose resources were all deleted stays, at 0. */
  counts(kind: CountedKind): ReadonlyMap<string, number> {
    const out = new Map<string, number>();
    for (const [space, ids] of this.#ids.get(kind) ?? []) out.set(space, ids.size);
    return out;
  }
}

function isCounted(kind: string): kind is CountedKind {
  return Object.hasOwn(COUNTED_KINDS, kind);
}
