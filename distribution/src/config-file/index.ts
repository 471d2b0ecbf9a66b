/** `switchyard --config switchyard.yaml`: reading, merging with the command line, loading plugins, applying spaces. */
export { ConfigFileError, formatPath, formatProblem, parseConfigFile, readConfigFile } from './load.ts';
export type {
  ApiKeyDeclaration, ConfigFile, ConfigFileContents, ConfigProblem, ExternalPluginSpec, GatewaySection, PathSegment, PluginsSection,
  ResourceBody, SpaceSection,
} from './load.ts';
export { applyConfigFile, configFilePlugin, CONFIG_FILE_PLUGIN } from './apply.ts';
export type { ApplySummary } from './apply.ts';
export { loadExternalPlugins } from './plugins.ts';
export type { PluginFactory, PluginFactoryContext } from './plugins.ts';
export { mergedPluginOptions, withFileOptions } from './options.ts';
export type { MergedPluginOptions } from './options.ts';
export { CONFIG_FILE_SCHEMA } from './schema.ts';
