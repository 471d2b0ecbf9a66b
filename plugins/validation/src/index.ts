/**
 * @switchyard/plugin-validation: JSON Schema (draft-07, 2020-12) for event data per event type, and strict event
 * types. Named exports only; types on their own lines.
 */
export { ValidationPlugin, PLUGIN_NAME } from './plugin.ts';
export type { ValidationOptions } from './plugin.ts';

export { SchemaCompiler, DRAFT_07, DRAFT_2020_12 } from './compiler.ts';
export type { CompiledSchema, Dialect, SchemaCompilerOptions } from './compiler.ts';

export type { EventTypeWithSchema, SchemaStats } from './registry.ts';
export { MAX_LISTED_VIOLATIONS, dataOf, isJsonMediaType } from './violations.ts';
