/**
 * @switchyard/provider-awskinesis: puts events on the stream of functions of type `awskinesis` (`PutRecord`), with a
 * partition key from a JSONata expression or a random UUID.
 */
export { AwsKinesisProvider, awsKinesisProvider } from './provider.ts';
export type { AwsKinesisProviderOptions } from './provider.ts';
export { PartitionKeys } from './partition-key.ts';
export type { PartitionKeyLimits } from './partition-key.ts';
