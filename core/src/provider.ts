/**
 * Providers call functions. A provider is a plugin that taps `hooks.invoke.for(type)` and registers how to
 * validate a function's `provider` configuration, so the Config API can refuse bad configs (reference §3.2).
 */
import type { Invocation, InvokeResult } from './context.ts';
import type { Gateway } from './gateway.ts';
import type { GatewayPlugin } from './plugin.ts';
import { Stage } from './hooks.ts';

/** Returns an error message (`missing required fields for HTTP endpoint`), or undefined when valid. */
export type ProviderConfigValidator = (config: Record<string, unknown>) => string | undefined;

export interface Provider {
  /** The function `type` this provider serves: `http`, `awslambda`, … */
  readonly type: string;
  readonly validate: ProviderConfigValidator;
  /**
   * Call the function. Resolve with the reply, whatever its status (core decides what counts as failure).
   * Reject with a `GatewayError` (`GW_ERR_FUNCTION_FAILED`, `GW_ERR_FUNCTION_TIMEOUT`) when there is no reply.
   */
  invoke(invocation: Invocation): Promise<InvokeResult>;
  /** Called from the gateway's `start` hook. */
  start?(): Promise<void>;
  /** Called from the gateway's `close` hook. */
  close?(): Promise<void>;
}

/** Turns a `Provider` into a plugin: `gateway.use(providerPlugin(new HttpProvider()))`. */
export function providerPlugin(provider: Provider, name = `provider-${provider.type}`): GatewayPlugin {
  return {
    name,
    apply(gateway: Gateway): void {
      gateway.providers.set(provider.type, provider.validate);
      gateway.hooks.invoke.for(provider.type).tapPromise({ name, stage: Stage.DEFAULT }, (invocation) => provider.invoke(invocation));
      if (provider.start) gateway.hooks.start.tapPromise(name, () => provider.start!());
      if (provider.close) gateway.hooks.close.tapPromise(name, () => provider.close!());
    },
  };
}
