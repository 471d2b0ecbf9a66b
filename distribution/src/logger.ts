import pino from 'pino';
import type { CliOptions } from './options.ts';

/** pino: JSON lines in production, pretty text with `--dev` or `--log-format text`. */
export function createLogger(options: Pick<CliOptions, 'dev' | 'logLevel' | 'logFormat'>): pino.Logger {
  const pretty = options.logFormat === 'text' || (options.logFormat === undefined && options.dev);
  return pino({
    name: 'switchyard',
    level: options.logLevel,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: process.stderr.isTTY, destination: 2, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name' } } } : {}),
  }, pretty ? undefined : pino.destination({ fd: 2, sync: false }));
}
