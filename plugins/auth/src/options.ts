/**
 * The plugin's options, one group per part, checked in the constructor: a bad option fails loud at boot with
 * `GW_ERR_PLUGIN_OPTIONS`, never at the first request.
 */
import { GatewayError, isRecord } from '@switchyard/core';
import type { AuthorizerCacheOptions } from './authorizers/cache.ts';
import type { JwtOptions } from './jwt/options.ts';
import { PLUGIN_NAME } from './types.ts';

export interface ApiKeyOptions {
  /** Refuse Events API requests without a valid API key (401). Default false: keys are checked when sent. */
  readonly required?: boolean;
}

export interface AuthOptions {
  /** Run event types' authorizer functions (reference §5). Default true. */
  readonly authorizers?: boolean;
  /** Cache authorizer verdicts. Default: off (every target calls its authorizer, as the original). */
  readonly authorizerCache?: AuthorizerCacheOptions;
  /** API keys for the Events API, managed at `/v1/spaces/:space/apikeys`. Default: off. `true` is `{}`. */
  readonly apiKeys?: boolean | ApiKeyOptions;
  /** JWT bearer tokens on the Events API. Default: off. */
  readonly jwt?: JwtOptions;
  /** Config API tokens: when set, every Config API route but the open paths needs `Authorization: Bearer <token>`. */
  readonly adminTokens?: readonly string[];
  /** Config API paths open without a token. Default `['/v1/status']`. */
  readonly adminOpenPaths?: readonly string[];
}

export function optionsError(message: string): GatewayError {
  return new GatewayError('GW_ERR_PLUGIN_OPTIONS', `${PLUGIN_NAME}: ${message}`);
}

function positiveInteger(value: unknown, name: string): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)) {
    throw optionsError(`'${name}' must be a positive integer`);
  }
}

function stringList(value: unknown, name: string, nonEmpty: boolean): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) throw optionsError(`'${name}' must be an array of non-empty strings`);
  if (nonEmpty && value.length === 0) throw optionsError(`'${name}' must not be empty`);
}

/** Check the options other than `jwt` (checked by the JWT part itself). */
export function checkOptions(options: unknown): asserts options is AuthOptions {
  if (!isRecord(options)) throw optionsError('options must be an object');
  const { authorizers, authorizerCache, apiKeys, adminTokens, adminOpenPaths } = options;
  if (authorizers !== undefined && typeof authorizers !== 'boolean') throw optionsError("'authorizers' must be a boolean");
  if (authorizerCache !== undefined) {
    if (!isRecord(authorizerCache)) throw optionsError("'authorizerCache' must be an object");
    positiveInteger(authorizerCache['ttlMs'], 'authorizerCache.ttlMs');
    if (authorizerCache['ttlMs'] === undefined) throw optionsError("'authorizerCache.ttlMs' is required");
    positiveInteger(authorizerCache['maxEntries'], 'authorizerCache.maxEntries');
    stringList(authorizerCache['identityHeaders'], 'authorizerCache.identityHeaders', true);
  }
  if (apiKeys !== undefined && typeof apiKeys !== 'boolean') {
    if (!isRecord(apiKeys)) throw optionsError("'apiKeys' must be a boolean or an object");
    if (apiKeys['required'] !== undefined && typeof apiKeys['required'] !== 'boolean') throw optionsError("'apiKeys.required' must be a boolean");
  }
  stringList(adminTokens, 'adminTokens', true);
  if (Array.isArray(adminTokens) && adminTokens.some((t: string) => /\s/.test(t))) throw optionsError("'adminTokens' must not contain whitespace");
  stringList(adminOpenPaths, 'adminOpenPaths', false);
  if (Array.isArray(adminOpenPaths) && adminOpenPaths.some((p: string) => !p.startsWith('/'))) throw optionsError("'adminOpenPaths' must be paths starting with '/'");
}
