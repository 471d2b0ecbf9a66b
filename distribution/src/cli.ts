#!/usr/bin/env node
/**
 * `switchyard`: run the default distribution.
 *   switchyard --dev                         everything embedded, in memory, pretty logs
 *   switchyard --data-dir ./data             config and accepted deliveries survive restarts
 *   switchyard --nats nats://host:4222       cluster mode: config, deliveries and system events on NATS JetStream
 * SIGTERM/SIGINT: new requests get 503, in-flight work drains, exit 0. A second signal exits at once.
 */
import { CommanderError } from 'commander';
import { Gateway } from '@switchyard/core';
import { createGateway } from './index.ts';
import { createLogger } from './logger.ts';
import { natsOptions, parseOptions, stageOptions } from './options.ts';
import type { CliOptions } from './options.ts';

async function main(argv: readonly string[]): Promise<void> {
  let options: CliOptions;
  try {
    options = parseOptions(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    throw err;
  }
  if (options.version) {
    process.stdout.write(`Event Gateway version: ${Gateway.version} (switchyard)\n`);
    return;
  }
  const logger = createLogger(options);
  const dataDir = options.dataDir ?? options.embedDataDir;
  const nats = natsOptions(options);
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
    ...stageOptions(options),
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

  const { eventsUrl, configUrl } = await gateway.start({ host: options.host, eventsPort: options.eventsPort, configPort: options.configPort });
  logger.info({
    eventsUrl, configUrl, mode: nats ? 'cluster' : dataDir ? 'single node' : 'embedded', dataDir, nats: nats?.servers, workers: options.workers, backlog: options.workersBacklog,
    plugins: gateway.plugins, version: Gateway.version,
  }, `Switchyard is running. Events API ${eventsUrl}, Configuration API ${configUrl}`);
  if (!options.dev && !dataDir && !nats) logger.warn('no --data-dir: configuration and queued events live in memory and are lost on restart');
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`switchyard: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
