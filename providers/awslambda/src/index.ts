/**
 * @switchyard/provider-awslambda: calls functions of type `awslambda` with Lambda `Invoke` (RequestResponse).
 */
export { AwsLambdaProvider, awsLambdaProvider } from './provider.ts';
export type { AwsLambdaProviderOptions } from './provider.ts';
