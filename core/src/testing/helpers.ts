/** Small helpers for tests of gateways, plugins, providers and store/queue/bus implementations. */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.ts';
import type { Delivery } from '../queue.ts';

/** A delivery of a small CloudEvents 1.0 event, with a fresh id; `overrides` replace any field. */
export function makeDelivery(overrides: Partial<Delivery> = {}): Delivery {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    space: 'default',
    subscriptionId: 'subscription',
    functionId: 'function',
    event: { specversion: '1.0', id: `event-${id}`, source: 'https://switchyard.test', type: 'test.event', datacontenttype: 'application/json', data: { id } },
    specVersion: '1.0',
    attempts: 0,
    acceptedAt: Date.now(),
    ...overrides,
  };
}

/**
 * Poll `predicate` every 5 ms until it holds; rejects after `timeoutMs` (default 5 s) with `message`.
 * A predicate that throws is retried (the last error is the rejection's cause).
 */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 5_000, message = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await predicate()) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      throw new Error(`waitFor: ${message} not met within ${timeoutMs} ms`, lastError === undefined ? undefined : { cause: lastError });
    }
    await sleep(5);
  }
}

/** Resolve after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise with its `resolve` and `reject` exposed (a gate a test opens when it chooses). */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

/** Create a `Deferred`. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** One call a `captureLogger` saw. */
export interface LogRecord {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly obj: object | string;
  readonly msg: string | undefined;
}

/** A `Logger` that keeps what it is told in `records` (children share them) instead of printing. */
export function captureLogger(): Logger & { readonly records: LogRecord[] } {
  const records: LogRecord[] = [];
  const make = (): Logger => {
    const at = (level: LogRecord['level']) => (obj: object | string, msg?: string): void => void records.push({ level, obj, msg });
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => make() };
  };
  return Object.assign(make(), { records });
}
