/**
 * A bound on JSON nesting. `JSON.parse` accepts any depth, but `JSON.stringify` and `structuredClone` overflow the
 * stack at a few thousand levels, so an accepted event that deep could never be delivered or stored. Bodies are
 * refused above this depth instead (Go's decoder allowed 10,000; V8 cannot re-encode that).
 */
import { GatewayError } from './errors.ts';
import type { ErrorCode } from './errors.ts';

export const MAX_JSON_DEPTH = 1000;

/** Whether JSON text nests arrays/objects deeper than `max` (brackets inside strings are ignored). */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  if (text.length <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** `JSON.parse`, refusing text nested deeper than `MAX_JSON_DEPTH` with a 400 naming the limit. */
export function parseBoundedJson(text: string, code: ErrorCode = 'GW_ERR_INVALID_EVENT', prefix = ''): unknown {
  if (jsonTooDeep(text)) throw new GatewayError(code, `${prefix}JSON is nested deeper than ${MAX_JSON_DEPTH} levels`);
  return JSON.parse(text) as unknown;
}
