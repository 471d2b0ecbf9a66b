/**
 * `MetricsPlugin`: Prometheus metrics at `GET /v1/metrics` on the Config API, with the Event Gateway's metric names
 * (reference §10) and Switchyard's latency, delivery, retry, dead-letter and rejection metrics.
 *
 * | metric source | how | file |
 * |---|---|---|
 * | sync `received` | `prepare` at `Stage.FIRST` (a sync target was found, before authorizers) | here |
 * | sync `processed`, call durations | a `register` interceptor on every `invoke` hook | `invoke.ts` |
 * | async received/dropped/processed, queue time, attempts, retries, dead letters | the queue's `enqueue`/`start`, wrapped | `queue.ts` |
 * | backlog | `gateway.queue.depth()` at scrape time | `metrics.ts` |
 * | resource gauges | `gateway.store.watch`, from `start` to `close` | `config.ts` |
 * | Config API calls | router middleware via `configApi`, before every other tap | `config.ts` |
 * | rejected requests | the `rejected` hook | here |
 * | config watch lag | the `configApplied` hook: now − the change's `at` | here |
 *
 * It does not tap `systemEvent` (that would make the gateway build every system event). Nothing it does throws into
 * the pipeline: recording failures are logged.
 */
import { GatewayError, Stage } from '@switchyard/core';
import type { Gateway, GatewayHooks, GatewayPlugin, Logger } from '@switchyard/core';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { BoundedLabel, ResourceCounts, configCall } from './config.ts';
import { InvokeTimer, callRecorder } from './invoke.ts';
import { createMetrics } from './metrics.ts';
import type { Metrics } from './metrics.ts';
import { countDeliveries } from './queue.ts';

export const PLUGIN_NAME = 'MetricsPlugin';

/** The Prometheus path on the Config API (the original's). */
export const METRICS_PATH = '/v1/metrics';

/** Distinct `space` label values taken from Config API paths; later new ones are counted as `_other`. */
export const MAX_CONFIG_SPACES = 1000;

export interface MetricsOptions {
  /** Prefix of the Event Gateway's metric names. Default `eventgateway_`. Switchyard's own are always `switchyard_`. */
  readonly prefix?: string;
  /** prom-client's default process and Node.js metrics (`process_*`, `nodejs_*`), as the original's Go client. Default true. */
  readonly defaultMetrics?: boolean;
  /** Where the metrics are registered. Default: a new `Registry` per plugin instance (never prom-client's global one). */
  readonly registry?: Registry;
}

type ConfigRouter = Parameters<GatewayHooks['configApi']['call']>[0];

const OPTION_NAMES: readonly (keyof MetricsOptions)[] = ['prefix', 'defaultMetrics', 'registry'];
const METRIC_PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function optionsError(message: string, cause?: unknown): GatewayError {
  return new GatewayError('GW_ERR_PLUGIN_OPTIONS', `${PLUGIN_NAME}: ${message}`, cause === undefined ? {} : { cause });
}

function checkOptions(options: unknown): { prefix: string; defaultMetrics: boolean; registry: Registry } {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw optionsError('options must be an object');
  const given = options as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (!(OPTION_NAMES as readonly string[]).includes(name)) throw optionsError(`unknown option "${name}" (known: ${OPTION_NAMES.join(', ')})`);
  }
  const { prefix = 'eventgateway_', defaultMetrics = true, registry } = given;
  if (typeof prefix !== 'string' || (prefix !== '' && !METRIC_PREFIX.test(prefix))) {
    throw optionsError('"prefix" must be a string of letters, digits, "_" and ":", not starting with a digit');
  }
  if (typeof defaultMetrics !== 'boolean') throw optionsError('"defaultMetrics" must be a boolean');
  if (registry !== undefined && !isRegistry(registry)) throw optionsError('"registry" must be a prom-client Registry');
  return { prefix, defaultMetrics, registry: registry ?? new Registry() };
}

function isRegistry(value: unknown): value is Registry {
  return typeof value === 'object' && value !== null
    && typeof (value as Registry).metrics === 'function' && typeof (value as Registry).registerMetric === 'function';
}

export class MetricsPlugin implements GatewayPlugin {
  readonly name = PLUGIN_NAME;
  /** Where this plugin's metrics are registered (read it to serve or merge them elsewhere). */
  readonly registry: Registry;
  readonly #prefix: string;
  readonly #defaultMetrics: boolean;
  #gateway: Gateway | undefined;

  constructor(options: MetricsOptions = {}) {
    const checked = checkOptions(options);
    this.registry = checked.registry;
    this.#prefix = checked.prefix;
    this.#defaultMetrics = checked.defaultMetrics;
  }

  /** The Prometheus text of every metric in the registry. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  apply(gateway: Gateway): void {
    if (this.#gateway !== undefined) throw optionsError('one instance serves one gateway (its registry holds that gateway\'s metrics); create one per gateway');
    this.#gateway = gateway;
    const logger = gateway.logger.child({ plugin: PLUGIN_NAME });
    const counts = new ResourceCounts();
    const metrics = this.#create(gateway, counts, logger);

    const timer = new InvokeTimer(gateway, callRecorder(metrics, logger));
    countDeliveries(gateway, metrics, logger, PLUGIN_NAME);
    const { hooks } = gateway;

    // A sync target was found: the original's `received{type=<event type>}`, before authorizers (Stage.EARLY) run.
    hooks.prepare.tap({ name: PLUGIN_NAME, stage: Stage.FIRST }, (invocation) => {
      if (invocation.mode === 'sync') safely(logger, () => metrics.received.inc({ space: invocation.space, type: invocation.event.type }));
      return invocation;
    });
    // A change written by any gateway (or by this one) reached this gateway's routing; the clocks of a cluster may
    // differ a little, so a negative lag counts as 0.
    hooks.configApplied.tap({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, (change) => {
      if (change.at !== undefined) safely(logger, () => metrics.watchLag.observe(Math.max(0, Date.now() - change.at!) / 1000));
    });
    hooks.rejected.tap({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, (error) => {
      safely(logger, () => metrics.rejected.inc({ status: String(error.status) }));
    });

    // Counting runs first of all Config API middleware, so calls refused by others (admin tokens) count too.
    const spaces = new BoundedLabel(MAX_CONFIG_SPACES);
    hooks.configApi.tap({ name: PLUGIN_NAME, stage: Stage.FIRST - 1 }, (router) => countConfigCalls(router, metrics, spaces, logger));
    // The route sits with other plugins' routes, after admin-token middleware: protected like the rest of the API.
    hooks.configApi.tap({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, (router) => {
      router.get(METRICS_PATH, async (ctx) => {
        ctx.body = await this.registry.metrics();
        ctx.status = 200;
        ctx.set('Content-Type', this.registry.contentType);
      });
    });

    let unwatch: (() => void) | undefined;
    hooks.start.tapPromise({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, async () => {
      timer.instrumentExisting();
      unwatch = await gateway.store.watch((change) => safely(logger, () => counts.apply(change)));
    });
    hooks.close.tap({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, () => {
      unwatch?.();
      unwatch = undefined;
    });
  }

  #create(gateway: Gateway, counts: ResourceCounts, logger: Logger): Metrics {
    try {
      const metrics = createMetrics(this.registry, this.#prefix, {
        backlog: () => {
          try {
            return gateway.queue.depth();
          } catch (err) {
            logger.error({ err }, 'metrics: reading the queue depth failed');
            return 0;
          }
        },
        resources: (kind) => counts.counts(kind),
      });
      if (this.#defaultMetrics) collectDefaultMetrics({ register: this.registry });
      return metrics;
    } catch (err) {
      throw optionsError(`cannot register the metrics: ${err instanceof Error ? err.message : String(err)}`, err);
    }
  }
}

/** Router middleware: count and time every Config API call on a resource, errors included. */
function countConfigCalls(router: ConfigRouter, metrics: Metrics, spaces: BoundedLabel, logger: Logger): void {
  router.use(async (ctx, next) => {
    const call = configCall(ctx.method, ctx.path);
    if (call === undefined) {
      await next();
      return;
    }
    const start = performance.now();
    try {
      await next();
    } finally {
      safely(logger, () => {
        metrics.configRequests.inc({ space: spaces.value(call.space), resource: call.resource, operation: call.operation });
        metrics.configDuration.observe((performance.now() - start) / 1000);
      });
    }
  });
}

function safely(logger: Logger, count: () => void): void {
  try {
    count();
  } catch (err) {
    logger.error({ err }, 'metrics: recording failed');
  }
}
