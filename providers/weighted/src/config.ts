/**
 * A function's `provider` configuration for type `weighted`, read and checked once:
 *
 *   { "functions": [ { "functionId": "v1", "weight": 90 }, { "functionId": "v2", "weight": 10 } ] }
 */

/** One target of a weighted function. */
export interface WeightedTarget {
  readonly functionId: string;
  /** A positive integer; the target's share is `weight / total`. */
  readonly weight: number;
}

export interface WeightedConfig {
  readonly targets: readonly WeightedTarget[];
  /** The sum of the weights. */
  readonly total: number;
}

/** The largest number of targets a weighted function may list. */
export const MAX_TARGETS = 100;
/** The largest weight of one target (so that sums stay exact integers). */
export const MAX_WEIGHT = 1_000_000;

const MISSING = 'functions must be a non-empty array of {"functionId": string, "weight": positive integer}';

/** Reads the whole config; returns it, or an error message for the Config API (naming the field at fault). */
export function readWeightedConfig(config: unknown): WeightedConfig | string {
  if (typeof config !== 'object' || config === null) return MISSING;
  const list = (config as Record<string, unknown>)['functions'];
  if (!Array.isArray(list) || list.length === 0) return MISSING;
  if (list.length > MAX_TARGETS) return `functions lists ${list.length} targets; at most ${MAX_TARGETS} are allowed`;
  const targets: WeightedTarget[] = [];
  const seen = new Set<string>();
  let total = 0;
  for (const [index, item] of list.entries()) {
    const at = `functions[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return `${at} must be an object {"functionId": string, "weight": positive integer}`;
    const { functionId, weight } = item as Record<string, unknown>;
    if (typeof functionId !== 'string' || functionId === '') return `${at}.functionId must be a non-empty string`;
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight <= 0 || weight > MAX_WEIGHT) {
      return `${at}.weight must be a positive integer (at most ${MAX_WEIGHT}), got ${JSON.stringify(weight) ?? 'nothing'}`;
    }
    if (seen.has(functionId)) return `${at}.functionId "${functionId}" is listed more than once`;
    seen.add(functionId);
    targets.push({ functionId, weight });
    total += weight;
  }
  return { targets, total };
}

/** The message for a weighted function that lists itself, or undefined. */
export function selfReference(functionId: string, config: WeightedConfig): string | undefined {
  const index = config.targets.findIndex((target) => target.functionId === functionId);
  return index < 0 ? undefined : `functions[${index}].functionId: a weighted function may not list itself ("${functionId}")`;
}

/**
 * The target for a number `r` in [0, 1): each target owns a slice of [0, total) as wide as its weight, in list order.
 * An `r` outside [0, 1) (a bad random source) is clamped; NaN counts as 0.
 */
export function pick(config: WeightedConfig, r: number): WeightedTarget {
  const point = Number.isNaN(r) ? 0 : Math.min(Math.max(Math.floor(r * config.total), 0), config.total - 1);
  let end = 0;
  for (const target of config.targets) {
    end += target.weight;
    if (point < end) return target;
  }
  return config.targets[config.targets.length - 1]!;
}
