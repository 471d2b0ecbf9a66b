/**
 * @switchyard/provider-http: calls functions of type `http` over undici pools with keep-alive.
 */
export { HttpProvider, httpProvider } from './provider.ts';
export { MISSING_URL } from './config.ts';
export type { HttpProviderOptions } from './provider.ts';
