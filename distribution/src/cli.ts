#!/usr/bin/env node
/**
 * `switchyard`: run the default distribution.
 *   switchyard --dev                         everything embedded, in memory, pretty logs
 *   switchyard --data-dir ./data             config and accepted deliveries survive restarts
 *   switchyard --nats nats://host:4222       cluster mode: config, deliveries and system events on NATS JetStream
 *   switchyard --config switchyard.yaml      gateway options, plugins and spaces from a YAML file (flags win over it)
 * SIGTERM/SIGINT: new requests get 503, in-flight work drains, exit 0. A second signal exits at once.
 */
import { CommanderError } from 'commander';
import { Gateway } from '@switchyard/core';
import type { GatewayPlugin } from '@switchyard/core';
import { ConfigFileError, configFilePlugin, loadExternalPlugins, mergedPluginOptions, readConfigFile, withFileOptions } from './config-file/index.ts';
import type { ConfigFile } from './config-file/index.ts';
import { createGateway } from './index.ts';
import { createLogger } from './logger.ts';
import { parseCommandLine } from './options.ts';
import type { CliOptions } from './options.ts';

async function main(argv: readonly string[]): Promise<void> {
  let parsed: { options: CliOptions; explicit: ReadonlySet<keyof CliOptions> };
  try {
    parsed = parseCommandLine(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    throw err;
  }
  if (parsed.options.version) {
    process.stdout.write(`Event Gateway version: ${Gateway.version} (switchyard)\n`);
    return;
  }
  const config: ConfigFile | undefined = parsed.options.config ? await readConfigFile(parsed.options.config) : undefined;
  const options = config ? withFileOptions(parsed.options, parsed.explicit, config) : parsed.options;
  const logger = createLogger(options);
  const dataDir = options.dataDir ?? options.embedDataDir;
  const { nats, ...pluginOptions } = mergedPluginOptions(options, parsed.explicit, config);
  const plugins: GatewayPlugin[] = config ? [...(await loadExternalPlugins(config, logger)), configFilePlugin(config)] : [];
  if (nats && dataDir) {
    process.stderr.write('switchyard: --data-dir and --nats are exclusive (in cluster mode config and deliveries live in NATS JetStream)\n');
    process.exit(2);
  }
  const gateway = createGateway({
    logger,
    workers: options.workers,
    workersBacklog: options.workersBacklog,
    bodyLimit: options.bodyLimit,
    envelope: options.envelope,
    ...pluginOptions,
    plugins,
    ...(dataDir ? { dataDir } : {}),
    ...(nats ? { nats } : {}),
    ...(options.spaceStrategy ? { spaceStrategy: { kind: options.spaceStrategy } } : {}),
  });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without draining');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, timeoutMs: options.shutdownTimeout }, 'shutting down: draining in-flight work');
    gateway.close({ timeoutMs: options.shutdownTimeout }).then(
      () => {
        logger.info('stopped');
        logger.flush?.();
        setTimeout(() => process.exit(0), 50).unref();
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  let addresses: { eventsUrl: string; configUrl: string };
  try {
    addresses = await gateway.start({ host: options.host, eventsPort: options.eventsPort, configPort: options.configPort });
  } catch (err) {
    await gateway.close({ timeoutMs: 1_000 }).catch(() => undefined);
    throw err;
  }
  const { eventsUrl, configUrl } = addresses;
  logger.info({
    eventsUrl, configUrl, mode: nats ? 'cluster' : dataDir ? 'single node' : 'embedded', dataDir, nats: nats?.servers, workers: options.workers, backlog: options.workersBacklog,
    plugins: gateway.plugins, version: Gateway.version, ...(config ? { config: config.file } : {}),
  }, `Switchyard is running. Events API ${eventsUrl}, Configuration API ${configUrl}`);
  if (!options.dev && !dataDir && !nats) logger.warn('no --data-dir: configuration and queued events live in memory and are lost on restart');
}

/** A config file's problems, wherever they surfaced (a `start` tap wraps them in `GW_ERR_HOOK_FAILED`). */
function configFileError(err: unknown): ConfigFileError | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) if (e instanceof ConfigFileError) return e;
  return undefined;
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const configError = configFileError(err);
  if (configError) {
    process.stderr.write(`switchyard: the config file has ${configError.problems.length === 1 ? 'a problem' : `${configError.problems.length} problems`}:\n${configError.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`switchyard: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
