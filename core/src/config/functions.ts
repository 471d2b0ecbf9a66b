/**
 * Decoding and validating functions (reference §3.2). The original decodes in `Function.UnmarshalJSON`, so its
 * provider errors come before the id and space checks:
 *
 * 1. the body's fields (`json: cannot unmarshal … Go struct field functionJSON.functionId …`);
 * 2. `type` empty: `provider configuration not set`; unknown: `provider <type> not supported`;
 * 3. `provider` absent or `null`: `provider configuration not set` (the original dropped the connection);
 * 4. the provider config's fields: `unable to load function provider config: json: cannot unmarshal …`;
 * 5. the provider's validator: `missing required fields for HTTP endpoint`, …;
 * 6. `functionId` (`required`, then `functionid`: `^[a-zA-Z0-9\.\-_]+$`) and the space.
 *
 * Core knows the original's five provider types; installed providers (`gateway.providers`) override or extend
 * them. Output `provider` objects list the type's known fields first, in the original's order, then any other
 * fields as given; empty credential fields are omitted.
 */
import type { ProviderConfigValidator } from '../provider.ts';
import type { FunctionConfig } from '../resources.ts';
import { decodeStruct, jsonKind, setOwn, type StructSpec } from './go-decode.ts';
import { fieldError, isGoUrl, NAME_PATTERN } from './go-format.ts';
import { check, decode, outputMetadata, spaceError, validationError } from './validate.ts';

interface BuiltinProvider {
  readonly spec: StructSpec;
  readonly validate: ProviderConfigValidator;
}

const CREDENTIALS = ['awsAccessKeyId', 'awsSecretAccessKey', 'awsSessionToken'] as const;
const STRING = { kind: 'string', goType: 'string' } as const;

function aws(goType: string, required: string, label: string): BuiltinProvider {
  const fields = { [required]: STRING, region: STRING, ...Object.fromEntries(CREDENTIALS.map((c) => [c, STRING])) };
  const message = `missing required fields for ${label} function`;
  return {
    spec: { goType, fields },
    validate: (config) => (nonEmpty(config[required]) && nonEmpty(config['region']) ? undefined : message),
  };
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}

const BUILTIN: ReadonlyMap<string, BuiltinProvider> = new Map([
  ['http', {
    spec: { goType: 'http.HTTP', fields: { url: STRING } },
    validate: (config: Record<string, unknown>) =>
      typeof config['url'] === 'string' && isGoUrl(config['url']) ? undefined : 'missing required fields for HTTP endpoint',
  }],
  ['awslambda', aws('awslambda.AWSLambda', 'arn', 'AWS Lambda')],
  ['awskinesis', aws('awskinesis.AWSKinesis', 'streamName', 'AWS Kinesis')],
  ['awsfirehose', aws('awsfirehose.AWSFirehose', 'deliveryStreamName', 'AWS Firehose')],
  ['awssqs', aws('awssqs.AWSSQS', 'queueUrl', 'AWS SQS')],
]);

/** The original's provider validators (`http`, `awslambda`, `awskinesis`, `awsfirehose`, `awssqs`), for providers to reuse. */
export const builtinProviderValidators: ReadonlyMap<string, ProviderConfigValidator> = new Map(
  [...BUILTIN].map(([type, provider]) => [type, provider.validate]),
);

const FUNCTION: StructSpec = {
  goType: 'function.functionJSON',
  fields: {
    space: STRING,
    functionId: { kind: 'string', goType: 'function.ID' },
    type: { kind: 'string', goType: 'function.ProviderType' },
    provider: { kind: 'raw' },
    metadata: { kind: 'metadata' },
  },
};

function providerError(message: string): never {
  throw validationError('functions', message);
}

/** The provider config, decoded for its type and normalised (see the module comment). */
function decodeProvider(type: string, raw: unknown, builtin: BuiltinProvider | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (builtin !== undefined) {
    const decoded = decodeStruct(raw, builtin.spec);
    if (!decoded.ok) providerError(`unable to load function provider config: ${decoded.error}`);
    const known = Object.keys(builtin.spec.fields);
    for (const name of known) if (decoded.fields[name] !== undefined) out[name] = decoded.fields[name];
    if (raw !== null && typeof raw === 'object') {
      const lower = new Set(known.map((k) => k.toLowerCase()));
      for (const [key, value] of Object.entries(raw)) if (!lower.has(key.toLowerCase())) setOwn(out, key, value);
    }
  } else {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      providerError(`unable to load function provider config: json: cannot unmarshal ${jsonKind(raw)} into Go value of type ${type}`);
    }
    for (const [key, value] of Object.entries(raw)) setOwn(out, key, value);
  }
  for (const field of CREDENTIALS) if (out[field] === '' || out[field] === null) delete out[field];
  return out;
}

function runValidator(validate: ProviderConfigValidator, config: Record<string, unknown>): string | undefined {
  try {
    return validate(config);
  } catch (err) {
    return `unable to load function provider config: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/**
 * A function from a create body, or (with `functionId` from the URL) an update body. `providers` are the
 * installed providers' validators by type; they take precedence over the built-in table.
 */
export function validateFunction(
  body: unknown,
  space: string,
  functionId: string | undefined,
  providers: ReadonlyMap<string, ProviderConfigValidator>,
): FunctionConfig {
  const fields = decode('functions', body, FUNCTION);
  const type = typeof fields['type'] === 'string' ? fields['type'] : '';
  if (type === '') providerError('provider configuration not set');
  const builtin = BUILTIN.get(type);
  const installed = providers.get(type);
  if (builtin === undefined && installed === undefined) providerError(`provider ${type} not supported`);
  if (fields['provider'] === undefined) providerError('provider configuration not set');
  const provider = decodeProvider(type, fields['provider'], builtin);
  const problem = runValidator(installed ?? builtin!.validate, provider);
  if (problem !== undefined) providerError(problem);

  const id = functionId ?? (typeof fields['functionId'] === 'string' ? fields['functionId'] : '');
  check('functions', [
    spaceError('Function', space),
    id === '' ? fieldError('Function', 'ID', 'required') : !NAME_PATTERN.test(id) ? fieldError('Function', 'ID', 'functionid') : undefined,
  ]);
  const out: FunctionConfig = { space, functionId: id, type, provider };
  const metadata = outputMetadata(fields['metadata']);
  if (metadata) out.metadata = metadata;
  return out;
}
