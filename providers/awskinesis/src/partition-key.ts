/**
 * Partition keys: the function's optional `partitionKey`, a JSONata expression evaluated against the event as it is
 * sent (the CloudEvents 1.0 object, or the 0.1 object for 0.1 events). Compiled once when the function is
 * registered, time-boxed and depth-limited at each call with jsonata's own guardrails (`jsonata(text, { timeout,
 * stack })`, as `plugins/transform` does). Without an expression the key is a random UUID, as the original's.
 */
import { randomUUID } from 'node:crypto';
import jsonata from 'jsonata';
import { GatewayError } from '@switchyard/core';

export interface PartitionKeyLimits {
  /** Wall time one evaluation may take, in ms. */
  readonly timeoutMs: number;
  /** Nested evaluation steps in progress. */
  readonly maxDepth: number;
}

/** Kinesis: a partition key is 1 to 256 Unicode characters. */
export const MAX_PARTITION_KEY_LENGTH = 256;
const MAX_CACHED = 1_000;

/** What jsonata throws: plain objects with `code`, `position`, `message`. */
interface JsonataFailure {
  readonly code?: unknown;
  readonly position?: unknown;
  readonly message?: unknown;
}

function describe(err: unknown): string {
  const f = (typeof err === 'object' && err !== null ? err : {}) as JsonataFailure;
  const message = typeof f.message === 'string' && f.message !== '' ? f.message : String(err);
  const where = typeof f.position === 'number' ? ` at position ${f.position}` : '';
  const code = typeof f.code === 'string' ? ` (${f.code}${where})` : where;
  return `${message}${code}`;
}

/** The compiled partition key expressions of one provider, by their text (bounded, oldest dropped first). */
export class PartitionKeys {
  readonly #limits: PartitionKeyLimits;
  readonly #compiled = new Map<string, jsonata.Expression | string>();

  constructor(limits: PartitionKeyLimits) {
    this.#limits = limits;
  }

  /** Reads a config's `partitionKey`: the compiled expression, undefined for none, or the error message for the Config API. */
  read(config: Record<string, unknown>): { expression: jsonata.Expression | undefined; source: string | undefined } | string {
    const source = config['partitionKey'] ?? undefined;
    if (source === undefined) return { expression: undefined, source: undefined };
    if (typeof source !== 'string' || source.trim() === '') return 'partitionKey must be a non-empty JSONata expression';
    const compiled = this.#compile(source);
    return typeof compiled === 'string' ? compiled : { expression: compiled, source };
  }

  #compile(source: string): jsonata.Expression | string {
    let entry = this.#compiled.get(source);
    if (entry === undefined) {
      try {
        entry = jsonata(source, { timeout: this.#limits.timeoutMs, stack: this.#limits.maxDepth });
      } catch (err) {
        entry = `partitionKey ${JSON.stringify(source)} is not a valid JSONata expression: ${describe(err)}`;
      }
      if (this.#compiled.size >= MAX_CACHED) {
        const oldest = this.#compiled.keys().next();
        if (!oldest.done) this.#compiled.delete(oldest.value);
      }
      this.#compiled.set(source, entry);
    }
    return entry;
  }

  /**
   * The key for one record: the expression's value (a string, or a number or boolean as text), or a random UUID
   * without an expression. Rejects with `GW_ERR_FUNCTION_FAILED` when the expression fails, runs over its limits or
   * gives no usable key (nothing, an object, an empty or too long string).
   */
  async key(functionId: string, read: { expression: jsonata.Expression | undefined; source: string | undefined }, event: unknown): Promise<string> {
    if (read.expression === undefined) return randomUUID();
    const fail = (why: string, cause?: unknown): GatewayError =>
      new GatewayError('GW_ERR_FUNCTION_FAILED', `Function "${functionId}" call failed: partitionKey ${JSON.stringify(read.source)} ${why}`, cause === undefined ? {} : { cause });
    let value: unknown;
    try {
      value = await read.expression.evaluate(event);
    } catch (err) {
      const code = (err as JsonataFailure | null)?.code;
      if (code === 'D1012') throw fail(`exceeded the time limit of ${this.#limits.timeoutMs} ms`, err);
      if (code === 'D1011') throw fail(`exceeded the depth limit of ${this.#limits.maxDepth} nested steps`, err);
      throw fail(`failed: ${describe(err)}`, err);
    }
    const key = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
    if (key === undefined) throw fail(`gave ${value === undefined ? 'nothing' : 'a value that is not a string, number or boolean'} for this event`);
    if (key === '' || [...key].length > MAX_PARTITION_KEY_LENGTH) throw fail(`gave a key of ${[...key].length} characters (a partition key has 1 to ${MAX_PARTITION_KEY_LENGTH})`);
    return key;
  }
}
