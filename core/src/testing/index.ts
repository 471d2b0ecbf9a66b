/**
 * `@switchyard/core/testing`: the contract suites every `ConfigStore`, `DeliveryQueue` and `SystemBus`
 * implementation runs (node:test), and small helpers for tests (among them a JSON HTTP client and a recording
 * local function server), and `startTestGateway`: a real gateway with the plugins under test, driven over HTTP.
 */
export { configStoreContract, type ConfigStoreFactory, type ConfigStoreHarness } from './contracts/config-store.ts';
export { deliveryQueueContract } from './contracts/delivery-queue.ts';
export {
  CONTRACT_RETRY_POLICY,
  recorder,
  watcher,
  type Call,
  type DeliveryQueueFactory,
  type DeliveryQueueHarness,
  type DeliveryQueueOptions,
  type QueueTest,
  type QueueTestContext,
} from './contracts/queue-kit.ts';
export { systemBusContract, type SystemBusFactory, type SystemBusHarness } from './contracts/system-bus.ts';
export { captureLogger, deferred, makeDelivery, sleep, waitFor, type Deferred, type LogRecord } from './helpers.ts';
export { replyJson, requestJson, startFunctionServer } from './http.ts';
export type { FunctionCall, FunctionHandler, FunctionServer, JsonReply, JsonRequestInit } from './http.ts';
export { makeEvent, startTestGateway } from './gateway.ts';
export type { ConfigCollection, EmitOptions, TestGateway, TestSpace, TestSubscription } from './gateway.ts';
