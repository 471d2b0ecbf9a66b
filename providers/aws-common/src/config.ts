/**
 * A function's `provider` configuration for the four AWS types (reference §3.2), read and checked once.
 *
 * Every type has its target field (`arn`, `queueUrl`, `streamName`, `deliveryStreamName`) and `region`, both
 * required, and the optional static credentials `awsAccessKeyId`, `awsSecretAccessKey`, `awsSessionToken`. Static
 * credentials are used only when both the key id and the secret are given, as the original did; otherwise the SDK's
 * standard chain applies (environment, shared files, SSO, container and instance metadata, …). Switchyard adds the
 * optional `timeout` (ms), as for `http` functions.
 */
import { createHash } from 'node:crypto';
import { builtinProviderValidators, type ProviderConfigValidator } from '@switchyard/core';

/** The largest delay `setTimeout` honours (2^31 - 1 ms). */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** The four AWS function types and their required target field. */
export const AWS_TARGET_FIELDS = {
  awslambda: 'arn',
  awssqs: 'queueUrl',
  awskinesis: 'streamName',
  awsfirehose: 'deliveryStreamName',
} as const;

export type AwsFunctionType = keyof typeof AWS_TARGET_FIELDS;

/** Static credentials, in the SDK's shape. */
export interface AwsStaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** What every AWS function config says, read once. */
export interface AwsFunctionSettings {
  /** The value of the type's target field: the Lambda ARN or name, the queue URL, the stream name. */
  readonly target: string;
  readonly region: string;
  /** undefined: the SDK's standard credential chain. */
  readonly credentials: AwsStaticCredentials | undefined;
  /** The function's own deadline in ms, if it sets one. */
  readonly timeout: number | undefined;
}

/** An AWS region name as the SDK's endpoint rules accept it: a DNS label (`eu-west-1`, `us-gov-west-1`, `local`). */
const REGION = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/**
 * Reads and checks a config for `type`; returns the settings, or the error message for the Config API. The required
 * fields are checked by core's validator for the type, so the message is the original's
 * (`missing required fields for AWS Lambda function`).
 */
export function readAwsFunctionConfig(type: AwsFunctionType, config: unknown): AwsFunctionSettings | string {
  const builtin = builtinProviderValidators.get(type) as ProviderConfigValidator;
  const raw = (typeof config === 'object' && config !== null ? config : {}) as Record<string, unknown>;
  const missing = builtin(raw);
  if (missing !== undefined) return missing;
  const target = raw[AWS_TARGET_FIELDS[type]] as string;
  const region = raw['region'] as string;
  if (!REGION.test(region)) return `region ${JSON.stringify(region)} is not a valid AWS region name`;

  for (const field of ['awsAccessKeyId', 'awsSecretAccessKey', 'awsSessionToken'] as const) {
    const value = raw[field];
    if (value !== undefined && value !== null && typeof value !== 'string') return `${field} must be a string`;
  }
  const accessKeyId = raw['awsAccessKeyId'];
  const secretAccessKey = raw['awsSecretAccessKey'];
  const sessionToken = raw['awsSessionToken'];
  const credentials = nonEmptyString(accessKeyId) && nonEmptyString(secretAccessKey)
    ? { accessKeyId, secretAccessKey, ...(nonEmptyString(sessionToken) ? { sessionToken } : {}) }
    : undefined;

  const timeout = raw['timeout'] ?? undefined; // JSON null counts as absent
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout <= 0 || timeout > MAX_TIMEOUT_MS)) {
    return `timeout must be a positive integer number of milliseconds (at most ${MAX_TIMEOUT_MS})`;
  }
  return { target, region, credentials, timeout };
}

/**
 * The key of the SDK client a call uses: one client per (region, credentials, endpoint) within a provider (which
 * serves one service). The secret is hashed into the key, never kept in it.
 */
export function clientKey(settings: AwsFunctionSettings, endpoint: string | undefined): string {
  const c = settings.credentials;
  const identity = c === undefined ? '' : createHash('sha256').update(`${c.accessKeyId}\0${c.secretAccessKey}\0${c.sessionToken ?? ''}`).digest('base64url');
  return `${settings.region}\0${endpoint ?? ''}\0${identity}`;
}
