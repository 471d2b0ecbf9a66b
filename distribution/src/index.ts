/**
 * The default distribution: core with the embedded store, queue and bus (file-backed with a data directory), the
 * HTTP provider, Prometheus metrics (`GET /v1/metrics` on the Config API), and the stage plugins: auth (authorizer
 * functions on by default, as the original; API keys, JWT and admin tokens when configured), validation (JSON Schema
 * per event type) and transform (JSONata filters and transforms). `createGateway` is what `switchyard` runs;
 * integrators can call it too.
 */
import { FileStore, Gateway, MemoryQueue, MemoryStore } from '@switchyard/core';
import type { GatewayOptions, GatewayPlugin, Logger, RetryPolicy, SpecVersion } from '@switchyard/core';
import { AuthPlugin } from '@switchyard/plugin-auth';
import type { AuthOptions } from '@switchyard/plugin-auth';
import { TransformPlugin } from '@switchyard/plugin-transform';
import type { TransformOptions } from '@switchyard/plugin-transform';
import { ValidationPlugin } from '@switchyard/plugin-validation';
import type { ValidationOptions } from '@switchyard/plugin-validation';
import { MetricsPlugin } from '@switchyard/plugin-metrics';
import type { MetricsOptions } from '@switchyard/plugin-metrics';
import { natsCluster } from '@switchyard/plugin-nats';
import type { NatsOptions } from '@switchyard/plugin-nats';
import { awsFirehoseProvider } from '@switchyard/provider-awsfirehose';
import { awsKinesisProvider } from '@switchyard/provider-awskinesis';
import type { AwsKinesisProviderOptions } from '@switchyard/provider-awskinesis';
import { awsLambdaProvider } from '@switchyard/provider-awslambda';
import { awsSqsProvider } from '@switchyard/provider-awssqs';
import { httpProvider } from '@switchyard/provider-http';
import type { HttpProviderOptions } from '@switchyard/provider-http';
import { natsProvider } from '@switchyard/provider-nats';
import type { NatsProviderOptions } from '@switchyard/provider-nats';
import { weightedProvider } from '@switchyard/provider-weighted';
import type { WeightedProviderOptions } from '@switchyard/provider-weighted';

export interface DistributionOptions {
  readonly logger?: Logger;
  /** Persist config and the delivery journal here. Default: in memory. Exclusive with `nats`. */
  readonly dataDir?: string;
  /**
   * Cluster mode: config in a JetStream KV bucket, async deliveries on a JetStream work queue shared by every
   * gateway, system events on NATS subjects (`@switchyard/plugin-nats`). `workers`, `workersBacklog`,
   * `retryPolicy` and `logger` apply unless set here. Exclusive with `dataDir`.
   */
  readonly nats?: NatsOptions;
  readonly workers?: number;
  readonly workersBacklog?: number;
  /** Retry policy of async deliveries without their own. Default: core's `DEFAULT_RETRY_POLICY`. */
  readonly retryPolicy?: RetryPolicy;
  readonly bodyLimit?: number;
  /** Loop protection: the largest hop count (`eventgatewayhops`) of an event. Default: core's `DEFAULT_MAX_HOPS` (4). */
  readonly maxHops?: number;
  readonly envelope?: SpecVersion;
  readonly spaceStrategy?: GatewayOptions['spaceStrategy'];
  readonly http?: HttpProviderOptions;
  /**
   * The four AWS providers (`awslambda`, `awssqs`, `awskinesis`, `awsfirehose`, as the original): shared options
   * (endpoint override, SDK attempts, deadline); `false` leaves them out. Default on, with the SDK's defaults.
   */
  readonly aws?: AwsKinesisProviderOptions | false;
  /** The `weighted` provider (canary releases across functions); `false` leaves it out. Default on. */
  readonly weighted?: WeightedProviderOptions | false;
  /**
   * The `nats` provider (functions as NATS services). Default: on in cluster mode, on the cluster's NATS servers
   * and credentials; off otherwise unless given here (with `servers`). `false` leaves it out.
   */
  readonly natsProvider?: NatsProviderOptions | false;
  /** Auth stage options; `false` leaves the plugin out. Default: authorizer functions only. */
  readonly auth?: AuthOptions | false;
  /** Validation stage options; `false` leaves the plugin out. */
  readonly validation?: ValidationOptions | false;
  /** Transform stage options; `false` leaves the plugin out. */
  readonly transform?: TransformOptions | false;
  /** Prometheus metrics at `GET /v1/metrics` on the Config API; `false` leaves the plugin out. Default on. */
  readonly metrics?: MetricsOptions | false;
  /**
   * More plugins, applied after the default ones. A plugin named like a default one (`AuthPlugin`,
   * `ValidationPlugin`, `TransformPlugin`, `MetricsPlugin`) replaces it.
   */
  readonly plugins?: readonly GatewayPlugin[];
}

export function createGateway(options: DistributionOptions = {}): Gateway {
  const { logger, dataDir } = options;
  if (dataDir && options.nats) {
    throw new Error('--data-dir and --nats are exclusive: in cluster mode config and deliveries live in NATS JetStream');
  }
  const queueOptions = {
    workers: options.workers ?? 100,
    backlog: options.workersBacklog ?? 200,
    ...(logger ? { logger } : {}),
    ...(dataDir ? { journalDir: dataDir } : {}),
    ...(options.retryPolicy ? { retryPolicy: options.retryPolicy } : {}),
  };
  const nats = options.nats ? natsCluster({ ...queueOptions, ...options.nats }) : undefined;
  const gateway = new Gateway({
    ...(nats
      ? { store: nats.store, queue: nats.queue, bus: nats.bus, subjectPrefix: nats.subjectPrefix }
      : { store: dataDir ? new FileStore({ dir: dataDir }) : new MemoryStore(), queue: new MemoryQueue(queueOptions) }),
    ...(logger ? { logger } : {}),
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
    ...(options.maxHops === undefined ? {} : { maxHops: options.maxHops }),
    ...(options.envelope ? { envelope: options.envelope } : {}),
    ...(options.spaceStrategy ? { spaceStrategy: options.spaceStrategy } : {}),
  });
  const extra = options.plugins ?? [];
  const replaced = new Set(extra.map((plugin) => plugin.name));
  const defaults: GatewayPlugin[] = [httpProvider(options.http), ...providers(options)];
  if (options.auth !== false) defaults.push(new AuthPlugin(options.auth ?? {}));
  if (options.validation !== false) defaults.push(new ValidationPlugin(options.validation ?? {}));
  if (options.transform !== false) defaults.push(new TransformPlugin(options.transform ?? {}));
  if (options.metrics !== false) defaults.push(new MetricsPlugin(options.metrics ?? {}));
  for (const plugin of defaults) if (!replaced.has(plugin.name)) gateway.use(plugin);
  for (const plugin of extra) gateway.use(plugin);
  return gateway;
}

/** The providers besides `http` the options ask for (see `DistributionOptions.aws`, `weighted`, `natsProvider`). */
function providers(options: DistributionOptions): GatewayPlugin[] {
  const out: GatewayPlugin[] = [];
  if (options.aws !== false) {
    const aws = options.aws ?? {};
    out.push(awsLambdaProvider(aws), awsSqsProvider(aws), awsKinesisProvider(aws), awsFirehoseProvider(aws));
  }
  if (options.weighted !== false) out.push(weightedProvider(options.weighted ?? {}));
  const nats = options.natsProvider ?? (options.nats ? natsProviderFromCluster(options.nats) : undefined);
  if (nats) out.push(natsProvider(nats));
  return out;
}

/** The cluster's connection settings, for the `nats` provider's own connection. */
function natsProviderFromCluster(cluster: NatsOptions): NatsProviderOptions {
  const { servers, user, pass, token, credsFile, tls } = cluster;
  return {
    servers,
    name: 'switchyard-provider-nats',
    ...(user === undefined ? {} : { user }),
    ...(pass === undefined ? {} : { pass }),
    ...(token === undefined ? {} : { token }),
    ...(credsFile === undefined ? {} : { credsFile }),
    ...(tls === undefined ? {} : { tls }),
  };
}

export { parseOptions, normaliseArgv, stageOptions, natsOptions } from './options.ts';
export type { CliOptions } from './options.ts';
export { parseCommandLine } from './options.ts';
export {
  applyConfigFile, CONFIG_FILE_PLUGIN, CONFIG_FILE_SCHEMA, configFilePlugin, ConfigFileError, formatPath, formatProblem, loadExternalPlugins,
  mergedPluginOptions, parseConfigFile, readConfigFile, withFileOptions,
} from './config-file/index.ts';
export type {
  ApiKeyDeclaration, ApplySummary, ConfigFile, ConfigFileContents, ConfigProblem, ExternalPluginSpec, GatewaySection, MergedPluginOptions,
  PathSegment, PluginFactory, PluginFactoryContext, PluginsSection, ResourceBody, SpaceSection,
} from './config-file/index.ts';
