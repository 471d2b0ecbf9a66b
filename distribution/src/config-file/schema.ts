/**
 * The JSON Schema of `switchyard.yaml` (draft-07, checked with ajv, `allErrors`). It checks the file's shape; the
 * resources under `spaces` are checked in depth by the Config API's own rules when they are applied, so their
 * schema only names the fields the file needs (ids) and leaves the rest (and plugins' fields) open.
 */

const metadata = { type: 'object', additionalProperties: { type: 'string' } } as const;
const port = { type: 'integer', minimum: 0, maximum: 65535 } as const;
const positive = { type: 'integer', minimum: 1 } as const;
/** A plugin's options, or `false` to leave the plugin out. */
const pluginOptions = { anyOf: [{ type: 'object' }, { const: false }] } as const;

const retryPolicy = {
  type: 'object',
  additionalProperties: false,
  properties: { maxAttempts: positive, minBackoffMs: positive, maxBackoffMs: positive, maxAgeMs: positive },
} as const;

const gateway = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dev: { type: 'boolean' },
    host: { type: 'string', minLength: 1 },
    configPort: port,
    eventsPort: port,
    dataDir: { type: 'string', minLength: 1 },
    logLevel: { enum: ['debug', 'info', 'warn', 'error'] },
    logFormat: { enum: ['text', 'json'] },
    workers: { type: 'integer', minimum: 1, maximum: 100_000 },
    workersBacklog: { type: 'integer', minimum: 1, maximum: 10_000_000 },
    bodyLimit: { type: 'integer', minimum: 1, maximum: 1024 ** 3 },
    envelope: { enum: ['1.0', '0.1'] },
    spaceStrategy: { enum: ['header', 'host', 'path'] },
    shutdownTimeout: { type: 'integer', minimum: 0, maximum: 3_600_000 },
    maxHops: positive,
    retryPolicy,
  },
} as const;

const externalPlugin = {
  type: 'object',
  additionalProperties: false,
  properties: {
    package: { type: 'string', minLength: 1 },
    path: { type: 'string', minLength: 1 },
    export: { type: 'string', minLength: 1 },
    options: { type: 'object' },
  },
  oneOf: [{ required: ['package'] }, { required: ['path'] }],
} as const;

/** Built-in plugins whose options the file may set; the distribution passes each to its plugin. */
export const BUILTIN_PLUGIN_KEYS = ['auth', 'validation', 'transform', 'metrics', 'http', 'nats', 'aws', 'weighted', 'natsProvider'] as const;

const plugins = {
  type: 'object',
  additionalProperties: false,
  properties: {
    auth: pluginOptions,
    validation: pluginOptions,
    transform: pluginOptions,
    metrics: pluginOptions,
    http: { type: 'object' },
    aws: pluginOptions,
    weighted: pluginOptions,
    natsProvider: {
      anyOf: [
        { type: 'object', required: ['servers'], properties: { servers: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }] } } },
        { const: false },
      ],
    },
    nats: {
      type: 'object',
      required: ['servers'],
      properties: { servers: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }] } },
    },
    external: { type: 'array', items: externalPlugin },
  },
} as const;

const space = {
  type: 'object',
  additionalProperties: false,
  properties: {
    functions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['functionId', 'type', 'provider'],
        properties: { functionId: { type: 'string', minLength: 1 }, type: { type: 'string', minLength: 1 }, provider: { type: 'object' }, metadata },
      },
    },
    eventTypes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string', minLength: 1 }, authorizerId: { type: 'string' }, metadata },
      },
    },
    subscriptions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'eventType', 'functionId'],
        properties: {
          type: { enum: ['sync', 'async'] },
          eventType: { type: 'string', minLength: 1 },
          functionId: { type: 'string', minLength: 1 },
          path: { type: 'string' },
          method: { type: 'string' },
          metadata,
          retryPolicy,
        },
      },
    },
    cors: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          method: { type: 'string' },
          path: { type: 'string' },
          allowedOrigins: { type: 'array', items: { type: 'string' } },
          allowedMethods: { type: 'array', items: { type: 'string' } },
          allowedHeaders: { type: 'array', items: { type: 'string' } },
          allowCredentials: { type: 'boolean' },
          metadata,
        },
      },
    },
    apiKeys: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key'],
        properties: {
          key: { type: 'string', pattern: '^sy_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$' },
          name: { type: 'string' },
          eventTypes: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
          metadata,
        },
      },
    },
  },
} as const;

export const CONFIG_FILE_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://switchyard.dev/schemas/switchyard.yaml.json',
  title: 'switchyard.yaml',
  type: 'object',
  additionalProperties: false,
  properties: {
    version: { const: 1 },
    gateway,
    plugins,
    prune: { type: 'boolean' },
    spaces: {
      type: 'object',
      propertyNames: { minLength: 3, pattern: '^[a-zA-Z0-9._-]+$' },
      additionalProperties: space,
    },
  },
} as const;
