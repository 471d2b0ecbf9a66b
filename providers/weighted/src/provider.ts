/**
 * The `weighted` provider: a function of type `weighted` lists other functions of its space with weights, and each
 * invocation picks one of them by weight and calls it through the gateway (`gateway.call`), so the chosen function's
 * own provider, system events and failure rules apply. Canary releases: 90 % to `v1`, 10 % to `v2`.
 *
 * The chosen function's reply is the weighted function's reply, whatever its status: a 5xx from the target is
 * handed back as a reply, and core then counts it as a failure of the weighted function too.
 */
import {
  GatewayError,
  isGatewayError,
  providerPlugin,
  type FunctionConfig,
  type Gateway,
  type GatewayPlugin,
  type Invocation,
  type InvokeResult,
  type Provider,
  type ProviderConfigValidator,
} from '@switchyard/core';
import { pick, readWeightedConfig, selfReference, type WeightedConfig } from './config.ts';

export interface WeightedProviderOptions {
  /**
   * The random source, a number in [0, 1) per call. Default `Math.random`. Inject a fixed sequence for
   * deterministic tests.
   */
  readonly random?: () => number;
  /**
   * How many weighted functions may be chained (a weighted function targeting a weighted function, …) before the
   * call fails. Default 4. A chain that comes back to a function already on it fails at once.
   */
  readonly maxDepth?: number;
}

/** What the provider needs of a gateway: find functions, and call one. `Gateway` has both. */
export interface WeightedGateway {
  readonly table: { function(space: string, functionId: string): FunctionConfig | undefined };
  call(invocation: Invocation): Promise<InvokeResult>;
}

const TYPE = 'weighted';
const NAME = 'provider-weighted';
export const DEFAULT_MAX_DEPTH = 4;

function isReply(value: unknown): value is InvokeResult {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value && 'headers' in value;
}

export class WeightedProvider implements Provider {
  readonly type = TYPE;
  readonly #gateway: WeightedGateway;
  readonly #random: () => number;
  readonly #maxDepth: number;
  /** The chain of weighted functions that led to an invocation this provider made (absent: called from outside). */
  readonly #chains = new WeakMap<Invocation, readonly string[]>();
  /** One parsed config per config object. */
  readonly #configs = new WeakMap<object, WeightedConfig | string>();

  constructor(gateway: WeightedGateway, options: WeightedProviderOptions = {}) {
    this.#gateway = gateway;
    if (options.random !== undefined && typeof options.random !== 'function') {
      throw new GatewayError('GW_ERR_PLUGIN_OPTIONS', 'provider-weighted: random must be a function returning a number in [0, 1)');
    }
    this.#random = options.random ?? Math.random;
    const depth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    if (!Number.isInteger(depth) || depth < 1 || depth > 32) {
      throw new GatewayError('GW_ERR_PLUGIN_OPTIONS', 'provider-weighted: maxDepth must be an integer from 1 to 32');
    }
    this.#maxDepth = depth;
  }

  /** Checks a function's `provider` config; bound, so the gateway can call it detached. */
  readonly validate: ProviderConfigValidator = (config) => {
    const read = readWeightedConfig(config);
    return typeof read === 'string' ? read : undefined;
  };

  async invoke(invocation: Invocation): Promise<InvokeResult> {
    const fn = invocation.function;
    const config = this.#read(fn.provider);
    if (typeof config === 'string') {
      throw new GatewayError('GW_ERR_FUNCTION_FAILED', `Weighted function "${fn.functionId}" cannot be called: ${config}`);
    }
    const chain = [...(this.#chains.get(invocation) ?? []), fn.functionId];
    const target = pick(config, this.#random()).functionId;
    if (chain.includes(target)) {
      throw new GatewayError('GW_ERR_LOOP', `Weighted function "${fn.functionId}" would call itself again: ${[...chain, target].join(' → ')}`);
    }
    const targetFn = this.#gateway.table.function(fn.space, target);
    if (targetFn === undefined) {
      throw new GatewayError('GW_ERR_FUNCTION_NOT_FOUND', `Weighted function "${fn.functionId}" chose function "${target}", which does not exist in space "${fn.space}"`);
    }
    if (targetFn.type === TYPE && chain.length >= this.#maxDepth) {
      throw new GatewayError('GW_ERR_LOOP', `Weighted function "${fn.functionId}" exceeds the nesting limit of ${this.#maxDepth} weighted functions: ${[...chain, target].join(' → ')}`);
    }
    const next: Invocation = { ...invocation, function: targetFn };
    this.#chains.set(next, chain);
    try {
      return await this.#gateway.call(next);
    } catch (err) {
      // A 5xx reply is handed back as a reply: core judges it again for the weighted function (and a queue reads
      // its Retry-After). Only calls with no reply at all are failures here.
      if (isGatewayError(err) && err.code === 'GW_ERR_FUNCTION_FAILED' && isReply(err.cause)) return err.cause;
      throw err;
    }
  }

  #read(config: Record<string, unknown>): WeightedConfig | string {
    if (typeof config !== 'object' || config === null) return readWeightedConfig(config);
    let read = this.#configs.get(config);
    if (read === undefined) {
      read = readWeightedConfig(config);
      this.#configs.set(config, read);
    }
    return read;
  }
}

/**
 * The provider as a plugin: `gateway.use(weightedProvider())`. Besides the provider, it checks on the Config API
 * that a weighted function does not list itself (the config validator alone does not know the function's id).
 */
export function weightedProvider(options: WeightedProviderOptions = {}): GatewayPlugin {
  return {
    name: NAME,
    apply(gateway: Gateway): void {
      providerPlugin(new WeightedProvider(gateway, options), NAME).apply(gateway);
      gateway.hooks.configResource.tapPromise(NAME, async (resource, input) => {
        if (input.kind !== 'functions') return resource;
        const fn = resource as FunctionConfig;
        if (fn.type !== TYPE) return resource;
        const config = readWeightedConfig(fn.provider);
        const problem = typeof config === 'string' ? undefined : selfReference(fn.functionId, config);
        if (problem !== undefined) throw new GatewayError('GW_ERR_VALIDATION', `Function doesn't validate. Validation error: ${problem}`);
        return resource;
      });
    },
  };
}
