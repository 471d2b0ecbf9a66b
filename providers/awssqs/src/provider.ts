/**
 * The `awssqs` provider (reference §3.2): `SendMessage` to the function's `queueUrl`, MessageBody = the event (or the
 * invocation's payload). The result is the MessageId as plain text, as the original returned it.
 */
import type { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { providerPlugin, type GatewayPlugin, type InvokeResult } from '@switchyard/core';
import { AwsProvider, textResult, type AwsCall, type AwsProviderOptions, type AwsService } from '@switchyard/aws-common';

export type AwsSqsProviderOptions = AwsProviderOptions;

/** The part of `@aws-sdk/client-sqs` the provider uses, imported on its first call. */
interface SqsSdk {
  readonly SQSClient: typeof SQSClient;
  readonly SendMessageCommand: typeof SendMessageCommand;
}

async function send(client: SQSClient, call: AwsCall<undefined>, sdk: SqsSdk): Promise<InvokeResult> {
  const output = await client.send(new sdk.SendMessageCommand({ QueueUrl: call.settings.target, MessageBody: call.body }), { abortSignal: call.abortSignal });
  return textResult(output.MessageId);
}

const SQS: AwsService<SQSClient, undefined, SqsSdk> = {
  type: 'awssqs',
  loadSdk: () => import('@aws-sdk/client-sqs'),
  createClient: (sdk, config) => new sdk.SQSClient(config),
  prepare: () => undefined,
  call: send,
};

/** The `awssqs` provider. */
export class AwsSqsProvider extends AwsProvider<SQSClient, undefined, SqsSdk> {
  constructor(options: AwsSqsProviderOptions = {}) {
    super(SQS, options);
  }
}

/** The provider as a plugin: `gateway.use(awsSqsProvider())`. */
export function awsSqsProvider(options?: AwsSqsProviderOptions): GatewayPlugin {
  return providerPlugin(new AwsSqsProvider(options));
}
