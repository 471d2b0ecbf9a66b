// placeholder: the Gateway class is being written (see the brief); only its type surface is here for now.
import type { GatewayHooks } from './hooks.ts';
import type { ProviderConfigValidator } from './provider.ts';
export declare class Gateway {
  readonly hooks: GatewayHooks;
  readonly providers: Map<string, ProviderConfigValidator>;
}
