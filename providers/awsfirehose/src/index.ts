/**
 * @switchyard/provider-awsfirehose: puts events on the delivery stream of functions of type `awsfirehose` (`PutRecord`).
 */
export { AwsFirehoseProvider, awsFirehoseProvider } from './provider.ts';
export type { AwsFirehoseProviderOptions } from './provider.ts';
