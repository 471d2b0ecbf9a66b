/**
 * @switchyard/plugin-auth: authorizer functions per event type, API keys and JWT on the Events API, admin tokens on
 * the Config API. Named exports only; types on their own lines.
 */
export { AuthPlugin } from './plugin.ts';
export type { AuthState } from './plugin.ts';
export type { AuthOptions, ApiKeyOptions } from './options.ts';
export type { AuthorizerCacheOptions } from './authorizers/cache.ts';
export type { JwtOptions, JwtKey, JsonWebKey } from './jwt/options.ts';
export type { Authorization, ApiKeyIdentity } from './types.ts';
export { PLUGIN_NAME } from './types.ts';

export { AUTHORIZATION_ATTRIBUTE, attachAuthorization, stripAuthorization } from './attach.ts';
export { authorizerPayload, readVerdict } from './authorizers/call.ts';
export type { AuthorizerVerdict } from './authorizers/call.ts';
export { AuthorizerCache, DEFAULT_IDENTITY_HEADERS } from './authorizers/cache.ts';
export { UNAUTHORIZED_MESSAGE } from './authorizers/prepare.ts';
export { APIKEYS_KIND } from './apikeys/registry.ts';
export type { StoredApiKey, ApiKeyView } from './apikeys/validate.ts';
export { API_KEY_PREFIX, bearerToken } from './credentials.ts';
export { ADMIN_REALM, DEFAULT_OPEN_PATHS } from './admin/tokens.ts';
export { EVENTS_REALM } from './caller.ts';
