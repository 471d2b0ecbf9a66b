/**
 * The `awskinesis` provider (reference §3.2): `PutRecord` on the function's `streamName`, Data = the event (or the
 * invocation's payload), PartitionKey from the function's `partitionKey` expression or a random UUID. The result is
 * the SequenceNumber as plain text, as the original returned it.
 */
import type { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { providerPlugin, wireEvent, type GatewayPlugin, type InvokeResult } from '@switchyard/core';
import { AwsProvider, positiveIntegerOption, textResult, type AwsCall, type AwsProviderOptions, type AwsService } from '@switchyard/aws-common';
import { PartitionKeys } from './partition-key.ts';

export interface AwsKinesisProviderOptions extends AwsProviderOptions {
  /** Wall time one evaluation of a `partitionKey` expression may take, in ms. Default 100. */
  readonly partitionKeyTimeoutMs?: number;
  /** Nested evaluation steps a `partitionKey` expression may have in progress. Default 200. */
  readonly partitionKeyMaxDepth?: number;
}

type Prepared = Exclude<ReturnType<PartitionKeys['read']>, string>;

/** The part of `@aws-sdk/client-kinesis` the provider uses, imported on its first call. */
interface KinesisSdk {
  readonly KinesisClient: typeof KinesisClient;
  readonly PutRecordCommand: typeof PutRecordCommand;
}

function kinesisService(keys: PartitionKeys): AwsService<KinesisClient, Prepared, KinesisSdk> {
  return {
    type: 'awskinesis',
    loadSdk: () => import('@aws-sdk/client-kinesis'),
    createClient: (sdk, config) => new sdk.KinesisClient(config),
    prepare: (config) => keys.read(config),
    async call(client: KinesisClient, call: AwsCall<Prepared>, sdk: KinesisSdk): Promise<InvokeResult> {
      const { invocation } = call;
      const partitionKey = await keys.key(call.functionId, call.prepared, wireEvent(invocation.event, invocation.specVersion));
      const output = await client.send(
        new sdk.PutRecordCommand({ StreamName: call.settings.target, Data: Buffer.from(call.body, 'utf8'), PartitionKey: partitionKey }),
        { abortSignal: call.abortSignal },
      );
      return textResult(output.SequenceNumber);
    },
  };
}

function partitionKeys(options: AwsKinesisProviderOptions): PartitionKeys {
  const owner = 'provider-awskinesis';
  return new PartitionKeys({
    timeoutMs: positiveIntegerOption(owner, 'partitionKeyTimeoutMs', options.partitionKeyTimeoutMs, 100, 60_000),
    maxDepth: positiveIntegerOption(owner, 'partitionKeyMaxDepth', options.partitionKeyMaxDepth, 200, 10_000),
  });
}

/** The `awskinesis` provider. */
export class AwsKinesisProvider extends AwsProvider<KinesisClient, Prepared, KinesisSdk> {
  constructor(options: AwsKinesisProviderOptions = {}) {
    super(kinesisService(partitionKeys(options ?? {})), options);
  }
}

/** The provider as a plugin: `gateway.use(awsKinesisProvider({ partitionKeyTimeoutMs: 50 }))`. */
export function awsKinesisProvider(options?: AwsKinesisProviderOptions): GatewayPlugin {
  return providerPlugin(new AwsKinesisProvider(options));
}
