/**
 * The default distribution: core with the embedded store, queue and bus (file-backed with a data directory) and
 * the HTTP provider. `createGateway` is what `switchyard` runs; integrators can call it too.
 */
import { FileStore, Gateway, MemoryQueue, MemoryStore } from '@switchyard/core';
import type { GatewayOptions, GatewayPlugin, Logger, RetryPolicy, SpecVersion } from '@switchyard/core';
import { httpProvider } from '@switchyard/provider-http';
import type { HttpProviderOptions } from '@switchyard/provider-http';

export interface DistributionOptions {
  readonly logger?: Logger;
  /** Persist config and the delivery journal here. Default: in memory. */
  readonly dataDir?: string;
  readonly workers?: number;
  readonly workersBacklog?: number;
  /** Retry policy of async deliveries without their own. Default: core's `DEFAULT_RETRY_POLICY`. */
  readonly retryPolicy?: RetryPolicy;
  readonly bodyLimit?: number;
  readonly envelope?: SpecVersion;
  readonly spaceStrategy?: GatewayOptions['spaceStrategy'];
  readonly http?: HttpProviderOptions;
  /** More plugins, applied after the HTTP provider. */
  readonly plugins?: readonly GatewayPlugin[];
}

export function createGateway(options: DistributionOptions = {}): Gateway {
  const { logger, dataDir } = options;
  const queueOptions = {
    workers: options.workers ?? 100,
    backlog: options.workersBacklog ?? 200,
    ...(logger ? { logger } : {}),
    ...(dataDir ? { journalDir: dataDir } : {}),
    ...(options.retryPolicy ? { retryPolicy: options.retryPolicy } : {}),
  };
  const gateway = new Gateway({
    store: dataDir ? new FileStore({ dir: dataDir }) : new MemoryStore(),
    queue: new MemoryQueue(queueOptions),
    ...(logger ? { logger } : {}),
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
    ...(options.envelope ? { envelope: options.envelope } : {}),
    ...(options.spaceStrategy ? { spaceStrategy: options.spaceStrategy } : {}),
  });
  gateway.use(httpProvider(options.http));
  for (const plugin of options.plugins ?? []) gateway.use(plugin);
  return gateway;
}

export { parseOptions, normaliseArgv } from './options.ts';
export type { CliOptions } from './options.ts';
