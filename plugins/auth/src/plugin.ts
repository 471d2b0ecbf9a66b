/**
 * `AuthPlugin`: the auth stage of Switchyard, composed of four independent parts, each switched on by its options:
 *
 * | part | hook(s) | file |
 * |---|---|---|
 * | authorizer functions per event type (on by default) | `prepare` at `Stage.EARLY` | `authorizers/prepare.ts` |
 * | API keys on the Events API, managed in the Config API | `auth` at `Stage.EARLY`, `configApi`, `start`, `close` | `apikeys/*`, `caller.ts` |
 * | JWT on the Events API | `auth` at `Stage.EARLY`, `start` | `jwt/*`, `caller.ts` |
 * | admin tokens on the Config API | `configApi` at `Stage.FIRST` | `admin/tokens.ts` |
 *
 * `apply()` only registers; the store watch that feeds the API key index starts in `start` and stops in `close`.
 * Per-gateway state lives in the instance (`plugin.state(gateway)`, a WeakMap), so one plugin instance may serve several
 * gateways.
 */
import type { Gateway, GatewayPlugin, StoreChange } from '@switchyard/core';
import { Stage } from '@switchyard/core';
import { AdminTokens, DEFAULT_OPEN_PATHS } from './admin/tokens.ts';
import { ApiKeyRegistry } from './apikeys/registry.ts';
import { addApiKeyRoutes } from './apikeys/routes.ts';
import { AuthorizerCache } from './authorizers/cache.ts';
import { Authorizers } from './authorizers/prepare.ts';
import { CallerAuth } from './caller.ts';
import type { CallerAuthOptions } from './caller.ts';
import { JoseVerifier } from './jwt/verifier.ts';
import { checkJwtOptions } from './jwt/options.ts';
import type { AuthOptions } from './options.ts';
import { checkOptions, optionsError } from './options.ts';
import { PLUGIN_NAME } from './types.ts';

/** What the plugin keeps per gateway (for tests, benchmarks and other plugins). */
export interface AuthState {
  readonly authorizers: Authorizers | undefined;
  readonly apiKeys: ApiKeyRegistry | undefined;
  readonly caller: CallerAuth;
  readonly admin: AdminTokens | undefined;
}

export class AuthPlugin implements GatewayPlugin {
  readonly name = PLUGIN_NAME;
  readonly #options: AuthOptions;
  readonly #states = new WeakMap<Gateway, AuthState>();

  constructor(options: AuthOptions = {}) {
    checkOptions(options);
    if (options.jwt !== undefined) checkJwtOptions(options.jwt);
    this.#options = options;
  }

  /** The plugin's state in a gateway it was applied to. */
  state(gateway: Gateway): AuthState | undefined {
    return this.#states.get(gateway);
  }

  apply(gateway: Gateway): void {
    if (this.#states.has(gateway)) throw optionsError('already applied to this gateway');
    const options = this.#options;
    const { hooks, logger } = gateway;

    const authorizers = options.authorizers === false
      ? undefined
      : new Authorizers(gateway, options.authorizerCache ? new AuthorizerCache(options.authorizerCache) : undefined);
    authorizers?.apply();

    const apiKeys = options.apiKeys === undefined || options.apiKeys === false ? undefined : new ApiKeyRegistry(gateway.store);
    const required = (group: unknown): boolean => typeof group === 'object' && group !== null && (group as { required?: unknown }).required === true;
    const verifier = options.jwt === undefined ? undefined : new JoseVerifier(options.jwt, logger);
    const callerOptions: CallerAuthOptions = {
      ...(apiKeys ? { apiKeys: { registry: apiKeys, required: required(options.apiKeys) } } : {}),
      ...(verifier ? { jwt: { verifier, required: required(options.jwt) } } : {}),
    };
    const caller = new CallerAuth(callerOptions);
    caller.apply(gateway);

    const admin = options.adminTokens === undefined ? undefined : new AdminTokens(options.adminTokens, options.adminOpenPaths ?? DEFAULT_OPEN_PATHS);
    if (admin !== undefined || apiKeys !== undefined) {
      hooks.configApi.tap({ name: PLUGIN_NAME, stage: Stage.FIRST }, (router) => {
        admin?.install(router);
        if (apiKeys) addApiKeyRoutes(router, apiKeys);
      });
    }

    if (required(options.apiKeys) && admin === undefined) {
      hooks.start.tap({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, () => {
        logger.warn({ plugin: PLUGIN_NAME }, 'API keys are required on the Events API but the Config API, which creates them, has no adminTokens');
      });
    }
    if (apiKeys !== undefined || authorizers?.cache !== undefined || verifier !== undefined) {
      let unwatch: (() => void) | undefined;
      hooks.start.tapPromise({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, async () => {
        if (apiKeys !== undefined || authorizers?.cache !== undefined) {
          unwatch = await gateway.store.watch((change: StoreChange) => {
            apiKeys?.apply(change);
            // a changed event type or function may change an authorizer's verdicts
            const kind = change.op === 'put' ? change.entry.kind : change.key.kind;
            if (kind === 'eventtypes' || kind === 'functions') authorizers?.cache?.clear();
          });
        }
        await verifier?.warm();
      });
      hooks.close.tapPromise({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, async () => {
        unwatch?.();
        unwatch = undefined;
      });
    }
    this.#states.set(gateway, { authorizers, apiKeys, caller, admin });
  }
}
