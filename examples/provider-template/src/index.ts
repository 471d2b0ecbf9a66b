/**
 * The provider template: a complete `file` provider (events appended to JSON Lines files). Copy this package to
 * start your own; see README.md.
 */
export { FileProvider, fileProvider } from './provider.ts';
export type { FileProviderOptions } from './provider.ts';
export { readFileConfig } from './config.ts';
export type { FileFunctionSettings } from './config.ts';
