/**
 * A function's `provider` configuration for type `file`, read and checked once. Keep this the only place that
 * knows the config's shape: `validate` (registration) and `invoke` (every call) both use it, so a config that was
 * stored before a rule changed still fails with the same message.
 *
 *   { "path": "orders/created.jsonl" }
 */
import { isAbsolute, join, normalize, sep } from 'node:path';

export interface FileFunctionSettings {
  /** The file, relative to the provider's directory, as given. */
  readonly path: string;
}

/** Where a function's events go: a relative path of plain segments, ending in `.jsonl`. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** Reads the config; returns the settings, or the message the Config API puts in its 400. */
export function readFileConfig(config: unknown): FileFunctionSettings | string {
  if (typeof config !== 'object' || config === null) return 'path must be a relative file path ending in ".jsonl"';
  const path = (config as Record<string, unknown>)['path'];
  if (typeof path !== 'string' || path === '' || !path.endsWith('.jsonl')) return 'path must be a relative file path ending in ".jsonl"';
  // Config API input must never reach outside the provider's directory: no absolute paths, no "..", no hidden tricks.
  if (isAbsolute(path) || path.includes('\\')) return `path "${path}" must be relative to the provider's directory`;
  if (!path.split('/').every((segment) => SEGMENT.test(segment) && segment !== '..')) {
    return `path "${path}" may only have segments of letters, digits, ".", "_" and "-" (no "..", no leading ".")`;
  }
  return { path };
}

/** The absolute file of a validated path inside `directory`. */
export function resolveIn(directory: string, path: string): string {
  const file = normalize(join(directory, path));
  if (!file.startsWith(directory + sep)) throw new Error(`path "${path}" leaves the provider's directory`);
  return file;
}
