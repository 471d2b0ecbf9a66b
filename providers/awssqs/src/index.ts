/**
 * @switchyard/provider-awssqs: sends events to the queue of functions of type `awssqs` (`SendMessage`).
 */
export { AwsSqsProvider, awsSqsProvider } from './provider.ts';
export type { AwsSqsProviderOptions } from './provider.ts';
