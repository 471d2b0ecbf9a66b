/**
 * A real Gateway with the http and weighted providers (`startTestGateway` of `@switchyard/core/testing`), functions
 * that answer their name, and small assertions.
 */
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { isGatewayError, type GatewayError } from '@switchyard/core';
import { replyJson, startFunctionServer, startTestGateway, type FunctionServer, type TestGateway, type TestSpace } from '@switchyard/core/testing';
import { httpProvider } from '@switchyard/provider-http';
import { weightedProvider, type WeightedProviderOptions } from '../src/index.ts';

/** A real Gateway with the http and weighted providers on free ports, closed when the test ends. */
export async function startGateway(t: TestContext, options: WeightedProviderOptions = {}): Promise<TestGateway> {
  const gateway = await startTestGateway([httpProvider(), weightedProvider(options)]);
  t.after(() => gateway.close());
  return gateway;
}

/** A function server answering sync calls with `{"statusCode":200,"body":"<name>"}`. */
export async function namedFunction(t: TestContext, name: string): Promise<FunctionServer> {
  const server = await startFunctionServer(replyJson({ statusCode: 200, body: name }));
  t.after(() => server.close());
  return server;
}

/** A sync subscription `GET <path>` for `http.request` events to `functionId`, once routing has it. */
export async function syncRoute(space: TestSpace, path: string, functionId: string): Promise<void> {
  await space.subscribe({ type: 'sync', eventType: 'http.request', functionId, path, method: 'GET' });
}

/** A random source returning `values` in turn (then repeating the last). */
export function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)]!;
}

/** Asserts that `promise` rejects with a `GatewayError` of this code and message; returns it for further checks. */
export async function rejectsWith(promise: Promise<unknown>, code: string, message: string): Promise<GatewayError> {
  const err = await promise.then(() => assert.fail(`expected a rejection with ${code}`), (e: unknown) => e);
  assert.ok(isGatewayError(err), `not a GatewayError: ${String(err)}`);
  assert.equal(err.code, code);
  assert.equal(err.message, message);
  return err;
}
