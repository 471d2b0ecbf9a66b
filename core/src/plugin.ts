/**
 * Plugins: `{ name, apply(gateway) }`, applied synchronously in `use()` order (webpack's rule). `apply` only
 * registers: it taps hooks and compiles what it can; connecting happens in the `start` hook.
 * The loader checks metadata first and fails loud with coded errors (fastify's `registerPlugin`).
 */
import semver from 'semver';
import { GatewayError } from './errors.ts';
import type { Gateway } from './gateway.ts';

export interface PluginMeta {
  /** A semver range of `@switchyard/core` versions the plugin works with. */
  readonly core?: string;
  /** Names of plugins that must be used before this one. */
  readonly dependsOn?: readonly string[];
}

export interface GatewayPlugin {
  readonly name: string;
  readonly meta?: PluginMeta;
  apply(gateway: Gateway): void;
}

/** Check a plugin against what is already applied, then apply it. Throws `GW_ERR_PLUGIN_*`. */
export function applyPlugin(gateway: Gateway, plugin: GatewayPlugin, applied: Set<string>, coreVersion: string): void {
  if (!plugin || typeof plugin.name !== 'string' || plugin.name === '' || typeof plugin.apply !== 'function') {
    throw new GatewayError('GW_ERR_PLUGIN_INVALID', 'A plugin must be an object with a non-empty `name` and an `apply(gateway)` method');
  }
  const { name, meta } = plugin;
  if (applied.has(name)) throw new GatewayError('GW_ERR_PLUGIN_DUPLICATE', `Plugin "${name}" is already registered`);
  if (meta?.core !== undefined && !semver.satisfies(coreVersion, meta.core, { includePrerelease: true })) {
    throw new GatewayError('GW_ERR_PLUGIN_VERSION', `Plugin "${name}" needs @switchyard/core ${meta.core}, but this is ${coreVersion}`);
  }
  for (const dependency of meta?.dependsOn ?? []) {
    if (!applied.has(dependency)) {
      throw new GatewayError('GW_ERR_PLUGIN_DEPENDENCY', `Plugin "${name}" depends on "${dependency}", which must be registered before it`);
    }
  }
  try {
    plugin.apply(gateway);
  } catch (cause) {
    if (cause instanceof GatewayError) throw cause;
    throw new GatewayError('GW_ERR_PLUGIN_INVALID', `Plugin "${name}" failed to apply: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
  applied.add(name);
}
