/**
 * Superseded by `startTestGateway` of `@switchyard/core/testing`, which the AWS providers' tests now use. Kept as a thin
 * alias only so that `testing.ts` (another helper's area for now) still compiles; drop both together.
 */
import type { GatewayPlugin } from '@switchyard/core';
import { startTestGateway, type TestGateway } from '@switchyard/core/testing';

/** @deprecated Use `TestGateway` from `@switchyard/core/testing`. */
export type ProviderGateway = TestGateway;

/** @deprecated Use `startTestGateway([plugin])` from `@switchyard/core/testing`. */
export function startProviderGateway(plugin: GatewayPlugin): Promise<TestGateway> {
  return startTestGateway([plugin]);
}
