/**
 * @switchyard/provider-weighted: functions of type `weighted` spread invocations across other functions by weight
 * (canary releases).
 */
export { WeightedProvider, weightedProvider, DEFAULT_MAX_DEPTH } from './provider.ts';
export type { WeightedProviderOptions, WeightedGateway } from './provider.ts';
export { readWeightedConfig, pick, MAX_TARGETS, MAX_WEIGHT } from './config.ts';
export type { WeightedConfig, WeightedTarget } from './config.ts';
