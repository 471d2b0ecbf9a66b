/**
 * @switchyard-examples/plugin-ratelimit: per-client token-bucket rate limiting for the Events API.
 * Named exports only; types on their own lines.
 */
export { RateLimitPlugin } from './plugin.ts';
export { PLUGIN_NAME, DEFAULT_MAX_CLIENTS } from './options.ts';
export type { RateLimitOptions, RateLimit, RateLimitRule, RateLimitKey } from './options.ts';
