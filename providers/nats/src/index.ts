/**
 * @switchyard/provider-nats: functions of type `nats` are NATS services, called by request–reply on a subject.
 */
export { NatsProvider, natsProvider, toResult, SERVICE_ERROR, SERVICE_ERROR_CODE } from './provider.ts';
export type { NatsProviderOptions } from './provider.ts';
export type { NatsConnectionSettings } from './connect.ts';
export { readFunctionConfig, subjectProblem, MISSING_SUBJECT } from './config.ts';
export type { NatsFunctionSettings } from './config.ts';
