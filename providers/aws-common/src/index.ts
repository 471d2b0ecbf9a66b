/**
 * @switchyard/aws-common: what the four AWS providers share — function config reading (region, static credentials or
 * the SDK's standard chain, timeout), one SDK client per (region, credentials, endpoint), the per-call deadline and
 * the original's error messages. The SigV4-verifying local AWS server for tests is in `@switchyard/aws-common/testing`.
 */
export { AwsProvider, positiveIntegerOption } from './provider.ts';
export type { AwsProviderOptions, AwsClientConfig, AwsCall, AwsService } from './provider.ts';
export { readAwsFunctionConfig, clientKey, AWS_TARGET_FIELDS, MAX_TIMEOUT_MS } from './config.ts';
export type { AwsFunctionSettings, AwsFunctionType, AwsStaticCredentials } from './config.ts';
export { ACCESS_ERROR_MESSAGES, awsErrorCode, callFailure } from './errors.ts';
export type { CallFailureOptions } from './errors.ts';
export { textResult } from './result.ts';
