/**
 * A config file's `gateway` and `plugins` sections merged with the command line: a flag given on the command line
 * (or by its environment variable) wins over the file; the file wins over the flags' defaults.
 */
import { resolve } from 'node:path';
import { DEFAULT_RETRY_POLICY, mergeRetryPolicy } from '@switchyard/core';
import type { RetryPolicy } from '@switchyard/core';
import type { AuthOptions } from '@switchyard/plugin-auth';
import type { MetricsOptions } from '@switchyard/plugin-metrics';
import type { NatsOptions } from '@switchyard/plugin-nats';
import type { TransformOptions } from '@switchyard/plugin-transform';
import type { ValidationOptions } from '@switchyard/plugin-validation';
import type { AwsKinesisProviderOptions } from '@switchyard/provider-awskinesis';
import type { HttpProviderOptions } from '@switchyard/provider-http';
import type { NatsProviderOptions } from '@switchyard/provider-nats';
import type { WeightedProviderOptions } from '@switchyard/provider-weighted';
import type { CliOptions } from '../options.ts';
import { natsOptions, stageOptions } from '../options.ts';
import type { ConfigFile, GatewaySection } from './load.ts';

/** `gateway` keys that are command-line options too (same names). */
const SHARED_KEYS = [
  'dev', 'host', 'configPort', 'eventsPort', 'dataDir', 'logLevel', 'logFormat', 'workers', 'workersBacklog', 'bodyLimit',
  'envelope', 'spaceStrategy', 'shutdownTimeout',
] as const satisfies readonly (keyof GatewaySection & keyof CliOptions)[];

/** The command-line options with the file's `gateway` values where no flag was given (`dataDir` relative to the file). */
export function withFileOptions(cli: CliOptions, explicit: ReadonlySet<keyof CliOptions>, config: ConfigFile): CliOptions {
  const gateway = config.contents.gateway ?? {};
  const merged: Record<string, unknown> = { ...cli };
  for (const key of SHARED_KEYS) {
    const value = gateway[key];
    if (value === undefined || explicit.has(key) || (key === 'dataDir' && explicit.has('embedDataDir'))) continue;
    merged[key] = key === 'dataDir' ? resolve(config.dir, value as string) : value;
  }
  return merged as unknown as CliOptions;
}

/** The plugins' and gateway's options a distribution gets from the file and the command line together. */
export interface MergedPluginOptions {
  readonly auth: AuthOptions | false;
  readonly validation: ValidationOptions | false;
  readonly transform: TransformOptions | false;
  readonly metrics?: MetricsOptions | false;
  readonly http?: HttpProviderOptions;
  readonly aws?: AwsKinesisProviderOptions | false;
  readonly weighted?: WeightedProviderOptions | false;
  readonly natsProvider?: NatsProviderOptions | false;
  readonly nats?: NatsOptions;
  readonly maxHops?: number;
  readonly retryPolicy?: RetryPolicy;
}

/**
 * Stage plugins: the file's options with the flags' on top (`--admin-token`s are added to the file's
 * `adminTokens`); a plugin the file turns off (`false`) stays off unless a flag of it is given. Cluster mode:
 * `--nats` and its flags over `plugins.nats`.
 */
export function mergedPluginOptions(cli: CliOptions, explicit: ReadonlySet<keyof CliOptions>, config?: ConfigFile, env: NodeJS.ProcessEnv = process.env): MergedPluginOptions {
  const flags = stageOptions(cli, env);
  const natsFlags = natsOptions(cli, env);
  if (config === undefined) return { ...flags, ...(natsFlags ? { nats: natsFlags } : {}) };
  const file = config.contents.plugins ?? {};
  const gateway = config.contents.gateway ?? {};
  const auth = file.auth === false && Object.keys(flags.auth).length === 0 ? false : {
    ...(file.auth || {}), ...flags.auth,
    ...(file.auth && Array.isArray(file.auth['adminTokens']) ? { adminTokens: [...(file.auth['adminTokens'] as string[]), ...(flags.auth.adminTokens ?? [])] } : {}),
  };
  const strict = explicit.has('strictEventTypes') ? { strictEventTypes: cli.strictEventTypes } : {};
  const validation = file.validation === false && !explicit.has('strictEventTypes')
    ? false : { strictEventTypes: false, ...(file.validation || {}), ...strict } as ValidationOptions;
  const transform = file.transform === false && Object.keys(flags.transform).length === 0 ? false : { ...(file.transform || {}), ...flags.transform };
  const fileNats = file.nats as NatsOptions | undefined;
  const nats = natsFlags ?? fileNats ? { ...fileNats, ...natsFlags } as NatsOptions : undefined;
  return {
    auth, validation, transform,
    ...(file.metrics === undefined ? {} : { metrics: file.metrics }),
    ...(file.http === undefined ? {} : { http: file.http }),
    ...(file.aws === undefined ? {} : { aws: file.aws }),
    ...(file.weighted === undefined ? {} : { weighted: file.weighted }),
    ...(file.natsProvider === undefined ? {} : { natsProvider: file.natsProvider }),
    ...(nats ? { nats } : {}),
    ...(gateway.maxHops === undefined ? {} : { maxHops: gateway.maxHops }),
    ...(gateway.retryPolicy === undefined ? {} : { retryPolicy: mergeRetryPolicy(DEFAULT_RETRY_POLICY, gateway.retryPolicy) }),
  };
}
