/**
 * The `awssqs` provider (reference §3.2): `SendMessage` to the function's `queueUrl`, MessageBody = the event (or the
 * invocation's payload). The result is the MessageId as plain text, as the original returned it.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { providerPlugin, type GatewayPlugin, type InvokeResult } from '@switchyard/core';
import { AwsProvider, textResult, type AwsCall, type AwsProviderOptions, type AwsService } from '@switchyard/aws-common';

export type AwsSqsProviderOptions = AwsProviderOptions;

async function send(client: SQSClient, call: AwsCall<undefined>): Promise<InvokeResult> {
  const output = await client.send(new SendMessageCommand({ QueueUrl: call.settings.target, MessageBody: call.body }), { abortSignal: call.abortSignal });
  return textResult(output.MessageId);
}

const SQS: AwsService<SQSClient, undefined> = {
  type: 'awssqs',
  createClient: (config) => new SQSClient(config),
  prepare: () => undefined,
  call: send,
};

/** The `awssqs` provider. */
export class AwsSqsProvider extends AwsProvider<SQSClient, undefined> {
  constructor(options: AwsSqsProviderOptions = {}) {
    super(SQS, options);
  }
}

/** The provider as a plugin: `gateway.use(awsSqsProvider())`. */
export function awsSqsProvider(options?: AwsSqsProviderOptions): GatewayPlugin {
  return providerPlugin(new AwsSqsProvider(options));
}
