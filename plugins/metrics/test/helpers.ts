/** Helpers of this package's tests: the distribution, real HTTP functions, and reading Prometheus text. */
import type { Gateway, GatewayPlugin, Logger, RetryPolicy } from '@switchyard/core';
import { requestJson } from '@switchyard/core/testing';
import type { JsonReply } from '@switchyard/core/testing';
import type { MetricsOptions } from '../src/index.ts';

/** The default distribution (`switchyard`), as far as these tests use it. */
export interface Distribution {
  readonly createGateway: (options: {
    readonly plugins?: readonly GatewayPlugin[];
    readonly logger?: Logger;
    readonly dataDir?: string;
    readonly retryPolicy?: RetryPolicy;
    readonly metrics?: MetricsOptions | false;
  }) => Gateway;
}

/**
 * Load the default distribution at run time. It depends on this package, so a static import would make the
 * build cyclic (tsc -b builds this package first); the test runs after the whole build.
 */
export async function loadDistribution(): Promise<Distribution> {
  const name = 'switchyard';
  return (await import(name)) as Distribution;
}

/** A JSON request; the reply parsed (undefined when empty or not JSON). */
export function request<T = unknown>(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonReply<T>> {
  return requestJson<T>(url, { method, body, headers });
}

/** Samples of a Prometheus text exposition: `name{a="1",b="2"}` (labels sorted) → value. */
export function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels = [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => `${m[1]}="${m[2]}"`).sort();
    samples.set(key(match[1] ?? '', labels), Number(match[3]));
  }
  return samples;
}

function key(name: string, labels: readonly string[]): string {
  return labels.length === 0 ? name : `${name}{${labels.join(',')}}`;
}

/** The value of one sample, or undefined when the exposition does not have it. */
export function sample(samples: ReadonlyMap<string, number>, name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.get(key(name, Object.entries(labels).map(([k, v]) => `${k}="${v}"`).sort()));
}

/** Names of every metric family with at least one sample. */
export function families(samples: ReadonlyMap<string, number>): Set<string> {
  return new Set([...samples.keys()].map((k) => k.replace(/\{.*$/, '')));
}

/** A structured CloudEvent 1.0 (JSON). */
export function cloudEvent(type: string, id = 'e-1', data: unknown = { hello: 'world' }): Record<string, unknown> {
  return { specversion: '1.0', type, source: '/tests', id, datacontenttype: 'application/json', data };
}

export const CE = { 'content-type': 'application/cloudevents+json' };
