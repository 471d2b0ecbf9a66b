/**
 * @switchyard/plugin-transform: JSONata filters and transforms on subscriptions, event types and sync replies,
 * compiled once and time-boxed. Named exports only; types on their own lines.
 */
export { TransformPlugin, PLUGIN_NAME, FILTERED_OUT, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_DEPTH, DEFAULT_CACHE_SIZE } from './plugin.ts';
export type { TransformOptions } from './plugin.ts';
export { CompiledExpression, CpuClock, ExpressionCache, ExpressionError, jsonataBoolean, toJson } from './expressions.ts';
export type { ExpressionLimits, ExpressionErrorKind } from './expressions.ts';
export { EXPRESSION_FIELDS, MAX_EXPRESSION_LENGTH, addExpressionFields } from './fields.ts';
export { withData, replyObject, replyFrom } from './shapes.ts';
export type { ReplyObject } from './shapes.ts';
