/**
 * @switchyard/plugin-metrics: Prometheus text at `GET /v1/metrics` with the Event Gateway's metric names, plus
 * latency, delivery, retry, dead-letter and rejection metrics. Named exports only; types on their own lines.
 */
export { MetricsPlugin, PLUGIN_NAME, METRICS_PATH, MAX_CONFIG_SPACES } from './plugin.ts';
export type { MetricsOptions } from './plugin.ts';

export { ASYNC_TYPE, COUNTED_KINDS, outcomeOf } from './metrics.ts';
export type { CountedKind, Outcome } from './metrics.ts';

export { BoundedLabel, ResourceCounts, configCall } from './config.ts';
export type { ConfigCall, ConfigOperation, ConfigResourceLabel } from './config.ts';
