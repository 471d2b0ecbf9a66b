/**
 * The `awsfirehose` provider (reference §3.2): `PutRecord` on the function's `deliveryStreamName`, Record.Data = the
 * event (or the invocation's payload). The result is the RecordId as plain text, as the original returned it.
 */
import type { FirehoseClient, PutRecordCommand } from '@aws-sdk/client-firehose';
import { providerPlugin, type GatewayPlugin, type InvokeResult } from '@switchyard/core';
import { AwsProvider, textResult, type AwsCall, type AwsProviderOptions, type AwsService } from '@switchyard/aws-common';

export type AwsFirehoseProviderOptions = AwsProviderOptions;

/** The part of `@aws-sdk/client-firehose` the provider uses, imported on its first call. */
interface FirehoseSdk {
  readonly FirehoseClient: typeof FirehoseClient;
  readonly PutRecordCommand: typeof PutRecordCommand;
}

async function put(client: FirehoseClient, call: AwsCall<undefined>, sdk: FirehoseSdk): Promise<InvokeResult> {
  const output = await client.send(
    new sdk.PutRecordCommand({ DeliveryStreamName: call.settings.target, Record: { Data: Buffer.from(call.body, 'utf8') } }),
    { abortSignal: call.abortSignal },
  );
  return textResult(output.RecordId);
}

const FIREHOSE: AwsService<FirehoseClient, undefined, FirehoseSdk> = {
  type: 'awsfirehose',
  loadSdk: () => import('@aws-sdk/client-firehose'),
  createClient: (sdk, config) => new sdk.FirehoseClient(config),
  prepare: () => undefined,
  call: put,
};

/** The `awsfirehose` provider. */
export class AwsFirehoseProvider extends AwsProvider<FirehoseClient, undefined, FirehoseSdk> {
  constructor(options: AwsFirehoseProviderOptions = {}) {
    super(FIREHOSE, options);
  }
}

/** The provider as a plugin: `gateway.use(awsFirehoseProvider())`. */
export function awsFirehoseProvider(options?: AwsFirehoseProviderOptions): GatewayPlugin {
  return providerPlugin(new AwsFirehoseProvider(options));
}
