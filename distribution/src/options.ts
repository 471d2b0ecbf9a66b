/**
 * The `switchyard` command line. Accepts the original Event Gateway's flags, Go-style (`-dev`, `--dev`,
 * `--config-port=4001`, `-config-port 4001`, `--dev=true`), plus Switchyard's own.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { AuthOptions, JwtOptions } from '@switchyard/plugin-auth';
import type { NatsOptions } from '@switchyard/plugin-nats';
import type { TransformOptions } from '@switchyard/plugin-transform';
import type { ValidationOptions } from '@switchyard/plugin-validation';

export interface CliOptions {
  dev: boolean;
  host: string;
  configPort: number;
  eventsPort: number;
  dataDir?: string;
  embedDataDir?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  logFormat?: 'text' | 'json';
  workers: number;
  workersBacklog: number;
  bodyLimit: number;
  envelope: '1.0' | '0.1';
  spaceStrategy?: 'header' | 'host' | 'path';
  shutdownTimeout: number;
  strictEventTypes: boolean;
  transformTimeout?: number;
  transformMaxDepth?: number;
  adminToken: string[];
  apiKeys: boolean;
  requireApiKeys: boolean;
  authorizerCacheTtl?: number;
  jwtJwksUrl?: string;
  jwtIssuer?: string;
  jwtAudience?: string;
  jwtAlgorithms?: string;
  requireJwt: boolean;
  nats?: string;
  natsCreds?: string;
  natsUser?: string;
  natsPassword?: string;
  natsToken?: string;
  natsTlsCa?: string;
  natsStream?: string;
  natsBucket?: string;
  natsSubjectPrefix?: string;
  natsReplicas?: number;
  natsAckWait?: number;
  version?: boolean;
  /** A YAML config file (`--config`, or `SWITCHYARD_CONFIG`); flags given on the command line win over it. */
  config?: string;
}

const LONG_FLAGS = new Set([
  'dev', 'host', 'config-port', 'events-port', 'data-dir', 'embed-data-dir', 'log-level', 'log-format', 'workers',
  'workers-backlog', 'body-limit', 'envelope', 'space-strategy', 'shutdown-timeout', 'version', 'help',
  'strict-event-types', 'transform-timeout', 'transform-max-depth', 'admin-token', 'api-keys', 'require-api-keys',
  'authorizer-cache-ttl', 'jwt-jwks-url', 'jwt-issuer', 'jwt-audience', 'jwt-algorithms', 'require-jwt',
  'nats', 'nats-creds', 'nats-user', 'nats-password', 'nats-token', 'nats-tls-ca', 'nats-stream', 'nats-bucket',
  'nats-subject-prefix', 'nats-replicas', 'nats-ack-wait', 'config',
]);

const BOOLEAN_FLAGS = new Set(['dev', 'version', 'strict-event-types', 'api-keys', 'require-api-keys', 'require-jwt']);

/** Go's `flag` accepts `-name` as well as `--name`, and `--bool=true|false`; commander wants `--name`. */
export function normaliseArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    const match = /^--?([a-z][a-z-]*)(=(.*))?$/.exec(arg);
    if (!match || !LONG_FLAGS.has(match[1]!)) {
      out.push(arg);
      continue;
    }
    const [, name, , value] = match;
    if (BOOLEAN_FLAGS.has(name!) && value !== undefined) {
      if (value === 'true' || value === '1') out.push(`--${name}`);
      else if (value !== 'false' && value !== '0') throw new InvalidArgumentError(`invalid boolean value "${value}" for -${name}`);
      continue;
    }
    out.push(value === undefined ? `--${name}` : `--${name}=${value}`);
  }
  return out;
}

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    return n;
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function createProgram(): Command {
  return new Command('switchyard')
    .description('Switchyard event gateway: Events API and Configuration API, compatible with the Serverless Event Gateway.')
    .option('--dev', 'development mode: everything embedded, pretty logs', false)
    .option('--host <address>', 'interface to listen on', '0.0.0.0')
    .option('--config-port <port>', 'Configuration API port', integer(0, 65535), 4001)
    .option('--events-port <port>', 'Events API port', integer(0, 65535), 4000)
    .option('--data-dir <dir>', 'keep config and accepted async deliveries in this directory (survives restarts)')
    .option('--embed-data-dir <dir>', 'the original\'s embedded-store directory; same as --data-dir')
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .addOption(new Option('--log-format <format>', 'log format (default: json, or text with --dev)').choices(['text', 'json']))
    .option('--workers <n>', 'async delivery workers', integer(1, 100_000), 100)
    .option('--workers-backlog <n>', 'async deliveries held before new events get 429', integer(1, 10_000_000), 200)
    .option('--body-limit <bytes>', 'largest request body accepted', integer(1, 1024 ** 3), 1024 * 1024)
    .addOption(new Option('--envelope <version>', 'CloudEvents version of events the gateway makes (0.1 for migrating users)').choices(['1.0', '0.1']).default('1.0'))
    .addOption(new Option('--space-strategy <kind>', 'isolate spaces on the Events API by header (x-switchyard-space), host subdomain or path prefix').choices(['header', 'host', 'path']))
    .option('--shutdown-timeout <ms>', 'how long SIGTERM waits for in-flight work', integer(0, 3_600_000), 10_000)
    .option('--strict-event-types', 'refuse events whose type is not registered (validation plugin)', false)
    .option('--transform-timeout <ms>', 'time limit of one JSONata evaluation (transform plugin, default 100)', integer(1, 60_000))
    .option('--transform-max-depth <n>', 'depth limit of one JSONata evaluation (transform plugin, default 200)', integer(1, 100_000))
    .option('--admin-token <token>', 'require `Authorization: Bearer <token>` on the Config API (repeatable; also SWITCHYARD_ADMIN_TOKENS, comma-separated)', collect, [])
    .option('--api-keys', 'enable API keys for the Events API, managed at /v1/spaces/:space/apikeys', false)
    .option('--require-api-keys', 'refuse Events API requests without a valid API key (401)', false)
    .option('--authorizer-cache-ttl <ms>', 'cache authorizer verdicts per credentials for this long', integer(1, 86_400_000))
    .option('--jwt-jwks-url <url>', 'verify Events API bearer JWTs against this JWKS')
    .option('--jwt-issuer <iss>', 'required JWT issuer')
    .option('--jwt-audience <aud>', 'required JWT audience')
    .option('--jwt-algorithms <list>', 'allowed JWT algorithms, comma-separated (e.g. RS256,ES256)')
    .option('--require-jwt', 'refuse Events API requests without a valid JWT (401)', false)
    .option('--nats <urls>', 'cluster mode: config, async deliveries and system events on NATS JetStream (comma-separated server URLs)')
    .option('--nats-creds <file>', 'NATS credentials file (JWT + NKey seed)')
    .option('--nats-user <user>', 'NATS user')
    .option('--nats-password <password>', 'NATS password (also SWITCHYARD_NATS_PASSWORD)')
    .option('--nats-token <token>', 'NATS token')
    .option('--nats-tls-ca <file>', 'require TLS to NATS, trusting this CA file')
    .option('--nats-stream <name>', 'JetStream stream of async deliveries (default SWITCHYARD_DELIVERIES)')
    .option('--nats-bucket <name>', 'JetStream KV bucket of the configuration (default switchyard-config)')
    .option('--nats-subject-prefix <prefix>', 'prefix of system-event and delivery subjects (default eventgateway)')
    .option('--nats-replicas <n>', 'replicas of the stream and bucket when created (default 1)', integer(1, 5))
    .option('--nats-ack-wait <ms>', 'redeliver a delivery whose gateway vanished after this long, when this gateway creates the consumer (default 60000)', integer(1_000, 86_400_000))
    .addOption(new Option('--config <file>', 'a YAML config file: gateway options, plugins and spaces (flags win over it)').env('SWITCHYARD_CONFIG'))
    .option('--version', 'print the version and exit')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
}

export function parseOptions(argv: readonly string[]): CliOptions {
  return parseCommandLine(argv).options;
}

/** The options, and the names of those set on the command line or by an environment variable (not defaults). */
export function parseCommandLine(argv: readonly string[]): { options: CliOptions; explicit: ReadonlySet<keyof CliOptions> } {
  const program = createProgram();
  program.parse(normaliseArgv(argv), { from: 'user' });
  const options = program.opts<CliOptions>();
  const explicit = new Set<keyof CliOptions>();
  for (const key of Object.keys(options) as (keyof CliOptions)[]) {
    const source = program.getOptionValueSource(key);
    if (source === 'cli' || source === 'env') explicit.add(key);
  }
  return { options, explicit };
}

/** The stage plugins' options from the command line (and `SWITCHYARD_ADMIN_TOKENS`). */
export function stageOptions(options: CliOptions, env: NodeJS.ProcessEnv = process.env): {
  auth: AuthOptions;
  validation: ValidationOptions;
  transform: TransformOptions;
} {
  const adminTokens = [...options.adminToken, ...(env['SWITCHYARD_ADMIN_TOKENS'] ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '')];
  const jwt: JwtOptions | undefined = options.jwtJwksUrl || options.requireJwt ? {
    required: options.requireJwt,
    ...(options.jwtJwksUrl ? { jwksUrl: options.jwtJwksUrl } : {}),
    ...(options.jwtIssuer ? { issuer: options.jwtIssuer } : {}),
    ...(options.jwtAudience ? { audience: options.jwtAudience } : {}),
    ...(options.jwtAlgorithms ? { algorithms: options.jwtAlgorithms.split(',').map((a) => a.trim()) } : {}),
  } : undefined;
  return {
    auth: {
      ...(adminTokens.length > 0 ? { adminTokens } : {}),
      ...(options.apiKeys || options.requireApiKeys ? { apiKeys: { required: options.requireApiKeys } } : {}),
      ...(options.authorizerCacheTtl ? { authorizerCache: { ttlMs: options.authorizerCacheTtl } } : {}),
      ...(jwt ? { jwt } : {}),
    },
    validation: { strictEventTypes: options.strictEventTypes },
    transform: {
      ...(options.transformTimeout ? { timeoutMs: options.transformTimeout } : {}),
      ...(options.transformMaxDepth ? { maxDepth: options.transformMaxDepth } : {}),
    },
  };
}

/** Cluster-mode options from the command line (and `SWITCHYARD_NATS_PASSWORD`); `undefined` without `--nats`. */
export function natsOptions(options: CliOptions, env: NodeJS.ProcessEnv = process.env): NatsOptions | undefined {
  if (!options.nats) return undefined;
  const pass = options.natsPassword ?? env['SWITCHYARD_NATS_PASSWORD'];
  return {
    servers: options.nats.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    ...(options.natsCreds ? { credsFile: options.natsCreds } : {}),
    ...(options.natsUser ? { user: options.natsUser } : {}),
    ...(pass ? { pass } : {}),
    ...(options.natsToken ? { token: options.natsToken } : {}),
    ...(options.natsTlsCa ? { tls: { caFile: options.natsTlsCa } } : {}),
    ...(options.natsStream ? { stream: options.natsStream } : {}),
    ...(options.natsBucket ? { bucket: options.natsBucket } : {}),
    ...(options.natsSubjectPrefix ? { subjectPrefix: options.natsSubjectPrefix } : {}),
    ...(options.natsReplicas ? { replicas: options.natsReplicas } : {}),
    ...(options.natsAckWait ? { ackWaitMs: options.natsAckWait } : {}),
  };
}
