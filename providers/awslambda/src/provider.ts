/**
 * The `awslambda` provider (reference §3.2): `Invoke` with `InvocationType: RequestResponse`, the event (or the
 * invocation's payload) as the Payload. The reply is the function's payload as `application/json`, with Lambda's
 * `StatusCode` (200). A function error (`X-Amz-Function-Error`) fails the call; AccessDenied, UnrecognizedClient and
 * ExpiredToken fail it with the original's messages, which reach sync clients.
 */
import type { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';
import { GatewayError, providerPlugin, type GatewayPlugin, type InvokeResult } from '@switchyard/core';
import { AwsProvider, type AwsCall, type AwsProviderOptions, type AwsService } from '@switchyard/aws-common';

export type AwsLambdaProviderOptions = AwsProviderOptions;

/** The part of `@aws-sdk/client-lambda` the provider uses, imported on its first call. */
interface LambdaSdk {
  readonly LambdaClient: typeof LambdaClient;
  readonly InvokeCommand: typeof InvokeCommand;
}

const JSON_HEADERS = { 'content-type': 'application/json' } as const;
/** How much of a failed function's payload goes into the error message. */
const ERROR_PAYLOAD_CHARS = 1024;

async function invoke(client: LambdaClient, call: AwsCall<undefined>, sdk: LambdaSdk): Promise<InvokeResult> {
  const output = await client.send(
    new sdk.InvokeCommand({ FunctionName: call.settings.target, InvocationType: 'RequestResponse', Payload: Buffer.from(call.body, 'utf8') }),
    { abortSignal: call.abortSignal },
  );
  const payload = output.Payload === undefined ? Buffer.alloc(0) : Buffer.from(output.Payload.buffer, output.Payload.byteOffset, output.Payload.byteLength);
  if (output.FunctionError !== undefined) {
    const text = payload.toString('utf8');
    const shown = text.length > ERROR_PAYLOAD_CHARS ? `${text.slice(0, ERROR_PAYLOAD_CHARS)}…` : text;
    throw new GatewayError('GW_ERR_FUNCTION_FAILED', `Function "${call.functionId}" failed with a Lambda function error (${output.FunctionError}): ${shown}`);
  }
  return { status: output.StatusCode ?? 200, headers: JSON_HEADERS, body: payload };
}

const LAMBDA: AwsService<LambdaClient, undefined, LambdaSdk> = {
  type: 'awslambda',
  loadSdk: () => import('@aws-sdk/client-lambda'),
  createClient: (sdk, config) => new sdk.LambdaClient(config),
  prepare: () => undefined,
  call: invoke,
  exposeAccessErrors: true,
};

/** The `awslambda` provider. */
export class AwsLambdaProvider extends AwsProvider<LambdaClient, undefined, LambdaSdk> {
  constructor(options: AwsLambdaProviderOptions = {}) {
    super(LAMBDA, options);
  }
}

/** The provider as a plugin: `gateway.use(awsLambdaProvider({ endpoint: 'http://localhost:4566' }))`. */
export function awsLambdaProvider(options?: AwsLambdaProviderOptions): GatewayPlugin {
  return providerPlugin(new AwsLambdaProvider(options));
}
