/**
 * External plugins named in the config file (`plugins.external`), loaded with `import()`:
 *   - `path: ./plugins/rate.js` is resolved against the config file's directory;
 *   - `package: "@acme/plugin-x"` is resolved from the config file's directory (its `node_modules`), then from the
 *     distribution's own.
 * The module's export (`export:`, default `default`) is one of: a factory `(options, context) => GatewayPlugin`
 * (may be async), a class `new (options, context) => GatewayPlugin`, or a `GatewayPlugin` object (then `options`
 * must be absent). Anything else is a `ConfigFileError` naming the entry.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GatewayPlugin, Logger } from '@switchyard/core';
import { ConfigFileError } from './load.ts';
import type { ConfigFile, ExternalPluginSpec } from './load.ts';

/** What a plugin factory gets besides its options. */
export interface PluginFactoryContext {
  /** Absolute directory of the config file (resolve the plugin's own relative paths against it). */
  readonly configDir: string;
  readonly logger?: Logger;
}

/** The shape a plugin module's export may have when it is a factory. */
export type PluginFactory = (options: Readonly<Record<string, unknown>>, context: PluginFactoryContext) => GatewayPlugin | Promise<GatewayPlugin>;

export async function loadExternalPlugins(config: ConfigFile, logger?: Logger): Promise<GatewayPlugin[]> {
  const plugins: GatewayPlugin[] = [];
  for (const [index, spec] of (config.contents.plugins?.external ?? []).entries()) {
    const fail = (message: string): ConfigFileError => new ConfigFileError([config.problem(['plugins', 'external', index], message)]);
    const label = spec.path ?? spec.package ?? '';
    let module: Record<string, unknown>;
    try {
      module = (await import(moduleUrl(config, spec))) as Record<string, unknown>;
    } catch (err) {
      throw fail(`cannot load plugin "${label}": ${(err as Error).message}`);
    }
    const name = spec.export ?? 'default';
    const exported = module[name];
    if (exported === undefined) {
      throw fail(`plugin module "${label}" has no export "${name}" (exports: ${Object.keys(module).join(', ') || 'none'})`);
    }
    let plugin: unknown;
    try {
      plugin = await instantiate(exported, spec, { configDir: config.dir, ...(logger ? { logger } : {}) });
    } catch (err) {
      throw fail(`plugin "${label}" failed to start: ${(err as Error).message}`);
    }
    if (!isPlugin(plugin)) throw fail(`plugin "${label}": export "${name}" did not give a plugin ({ name, apply(gateway) })`);
    plugins.push(plugin);
  }
  return plugins;
}

function moduleUrl(config: ConfigFile, spec: ExternalPluginSpec): string {
  if (spec.path !== undefined) return pathToFileURL(resolve(config.dir, spec.path)).href;
  const name = spec.package ?? '';
  try {
    return pathToFileURL(createRequire(resolve(config.dir, 'switchyard.yaml')).resolve(name)).href;
  } catch {
    return name; // the distribution's own node_modules (an ESM-only export map, or a globally installed package)
  }
}

async function instantiate(exported: unknown, spec: ExternalPluginSpec, context: PluginFactoryContext): Promise<unknown> {
  const options = spec.options ?? {};
  if (typeof exported === 'function') {
    const isClass = /^class[\s{]/.test(Function.prototype.toString.call(exported));
    return isClass
      ? new (exported as new (o: typeof options, c: PluginFactoryContext) => unknown)(options, context)
      : await (exported as PluginFactory)(options, context);
  }
  if (spec.options !== undefined) throw new Error('the export is a plugin object, which takes no options (export a factory to take them)');
  return exported;
}

function isPlugin(value: unknown): value is GatewayPlugin {
  return typeof value === 'object' && value !== null && typeof (value as GatewayPlugin).name === 'string' && typeof (value as GatewayPlugin).apply === 'function';
}
