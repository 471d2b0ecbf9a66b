/**
 * JSONata expressions: compiled once, cached by their text (LRU), evaluated time-boxed and depth-limited.
 *
 * The guard is jsonata's own per-evaluation guardrail (`jsonata(text, { timeout, stack })`, jsonata ≥ 2.2.1): before
 * every evaluation step jsonata checks the wall time elapsed since that evaluation began and the number of nested
 * steps in progress, and throws D1012 / D1011. It is checked at the same point as the environment hooks
 * (`Symbol.for('jsonata.__evaluate_entry')`), per evaluation, so concurrent evaluations of one cached expression do
 * not share a clock. (Symbol-keyed hooks passed as evaluation bindings are dropped: jsonata copies bindings with
 * `Object.keys`; string-named hooks are never looked up. Both silently leave a runaway expression unguarded — the
 * tests prove the guard here stops one.)
 *
 * Evaluation runs on microtasks only, so a runaway expression holds the event loop until its limit: the limit is
 * also the most CPU one evaluation can take. A single built-in step (e.g. building `[1..10000000]`) is not
 * interrupted mid-way; the check comes before the next step.
 */
import jsonata from 'jsonata';

export interface ExpressionLimits {
  /** Wall time one evaluation may take, in ms. */
  readonly timeoutMs: number;
  /** Nested evaluation steps in progress (AST nodes and function calls; tail calls do not nest). */
  readonly maxDepth: number;
}

export type ExpressionErrorKind = 'syntax' | 'timeout' | 'depth' | 'evaluation';

/** A failure to compile or evaluate an expression. The message is written for the resource's owner and safe to show. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  readonly kind: ExpressionErrorKind;
  /** jsonata's error code (`S0203`, `T2001`, `D1012`, …), when it gave one. */
  readonly code: string | undefined;
  /** jsonata's character position, when it gave one. */
  readonly position: number | undefined;
  readonly token: string | undefined;

  constructor(kind: ExpressionErrorKind, message: string, details: { code?: string; position?: number; token?: string; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.code = details.code;
    this.position = details.position;
    this.token = details.token;
  }
}

/** What jsonata throws: plain objects, not `Error`s (except the engine's own, e.g. a parser `RangeError`). */
interface JsonataFailure {
  readonly code?: unknown;
  readonly position?: unknown;
  readonly token?: unknown;
  readonly message?: unknown;
}

function failure(err: unknown): { code?: string; position?: number; token?: string; message: string } {
  const f = (typeof err === 'object' && err !== null ? err : {}) as JsonataFailure;
  const message = typeof f.message === 'string' && f.message !== '' ? f.message : String(err);
  return {
    message,
    ...(typeof f.code === 'string' ? { code: f.code } : {}),
    ...(typeof f.position === 'number' ? { position: f.position } : {}),
    ...(typeof f.token === 'string' ? { token: f.token } : {}),
  };
}

/** `syntax error at position 7: Expected "]" before end of expression`. */
function syntaxError(err: unknown): ExpressionError {
  const f = failure(err);
  const where = f.position === undefined ? '' : ` at position ${f.position}`;
  const near = f.token !== undefined && f.token !== '(end)' && !f.message.includes(f.token) ? ` (near ${JSON.stringify(f.token)})` : '';
  return new ExpressionError('syntax', `syntax error${where}: ${f.message}${near}`, { ...f, cause: err });
}

/**
 * The process CPU clock, read at most once per `resolutionMs` (reading it is a system call, about 1 µs): an
 * evaluation keeps the reading current when it began, at most `resolutionMs` old, so the CPU it is later charged
 * with can only be over-counted.
 */
export class CpuClock {
  readonly #resolutionMs: number;
  #readAt = Number.NEGATIVE_INFINITY;
  #reading: NodeJS.CpuUsage = { user: 0, system: 0 };

  constructor(resolutionMs = 5) {
    this.#resolutionMs = resolutionMs;
  }

  reading(now: number): NodeJS.CpuUsage {
    if (now - this.#readAt >= this.#resolutionMs) {
      this.#reading = process.cpuUsage();
      this.#readAt = now;
    }
    return this.#reading;
  }
}

/** CPU ms the process used since `reading`. */
function cpuMsSince(reading: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(reading);
  return (used.user + used.system) / 1000;
}

/** One compiled expression; safe to evaluate concurrently. */
export class CompiledExpression {
  readonly source: string;
  readonly #expression: jsonata.Expression;
  readonly #limits: ExpressionLimits;
  readonly #clock: CpuClock;

  constructor(source: string, limits: ExpressionLimits, clock: CpuClock = new CpuClock()) {
    this.source = source;
    this.#limits = limits;
    this.#clock = clock;
    try {
      this.#expression = jsonata(source, { timeout: limits.timeoutMs, stack: limits.maxDepth });
    } catch (err) {
      throw syntaxError(err);
    }
  }

  /**
   * Evaluate against `input`; rejects with an `ExpressionError` (timeout, depth or evaluation).
   *
   * The time limit is wall time, so it also counts time the process was not running (descheduled on a busy host,
   * throttled by a CPU quota). When the limit trips but the process used less than half of it in CPU time, the
   * expression was not what took the time: it is evaluated once more, on a fresh clock. A runaway expression uses
   * the CPU it is given, so it fails the first time.
   */
  async evaluate(input: unknown, bindings?: Record<string, unknown>): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      const cpu = this.#clock.reading(started);
      try {
        return (await this.#expression.evaluate(input, bindings)) as unknown;
      } catch (err) {
        const error = this.#evaluationError(err, performance.now() - started);
        if (error.kind !== 'timeout' || attempt > 1 || cpuMsSince(cpu) >= this.#limits.timeoutMs / 2) throw error;
      }
    }
  }

  #evaluationError(err: unknown, elapsedMs: number): ExpressionError {
    const f = failure(err);
    const { timeoutMs, maxDepth } = this.#limits;
    // D3121 is `$eval`'s wrapper around the same errors: fall back on the clock for it.
    if (f.code === 'D1012' || (f.code === 'D3121' && elapsedMs >= timeoutMs)) {
      return new ExpressionError('timeout', `evaluation exceeded the time limit of ${timeoutMs} ms (is there an infinite loop?)`, { ...f, cause: err });
    }
    if (f.code === 'D1011') {
      return new ExpressionError('depth', `evaluation exceeded the depth limit of ${maxDepth} nested steps (is there a runaway recursion?)`, { ...f, cause: err });
    }
    const where = f.code === undefined ? '' : ` (${f.code}${f.position === undefined ? '' : ` at position ${f.position}`})`;
    return new ExpressionError('evaluation', `${f.message}${where}`, { ...f, cause: err });
  }
}

/**
 * Compiled expressions keyed by their text, least recently used evicted first. Shared by every resource of a
 * gateway, so the same text compiles once, whether it came through the Config API or the store watch. Syntax errors
 * are cached too, so a bad expression that reached the store is not re-parsed for every event.
 */
export class ExpressionCache {
  readonly #limits: ExpressionLimits;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, CompiledExpression | ExpressionError>();
  readonly #clock = new CpuClock();
  #compilations = 0;

  constructor(limits: ExpressionLimits, maxEntries: number) {
    this.#limits = limits;
    this.#maxEntries = maxEntries;
  }

  /** The compiled expression for `source`; throws its `ExpressionError` (kind `syntax`) when it does not compile. */
  get(source: string): CompiledExpression {
    let entry = this.#entries.get(source);
    if (entry === undefined) {
      this.#compilations++;
      try {
        entry = new CompiledExpression(source, this.#limits, this.#clock);
      } catch (err) {
        entry = err instanceof ExpressionError ? err : syntaxError(err);
      }
      if (this.#entries.size >= this.#maxEntries) {
        const oldest = this.#entries.keys().next();
        if (!oldest.done) this.#entries.delete(oldest.value);
      }
    } else {
      this.#entries.delete(source); // re-insert below: most recently used last
    }
    this.#entries.set(source, entry);
    if (entry instanceof ExpressionError) throw entry;
    return entry;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** How many times an expression was compiled (cache misses). */
  get compilations(): number {
    return this.#compilations;
  }
}

/** JSONata's effective boolean value (`$boolean`): `[]`, `{}`, `""`, `0`, `null`, nothing and functions are false. */
export function jsonataBoolean(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.some((v) => jsonataBoolean(v));
  if (typeof value === 'object' && isJsonataFunction(value)) return false;
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'string':
      return value.length > 0;
    case 'number':
      return value !== 0 && !Number.isNaN(value);
    case 'object':
      return Object.keys(value).length > 0;
    default:
      return false;
  }
}

/** A lambda or built-in function as jsonata holds it: an object (with references back into its environment). */
function isJsonataFunction(value: object): boolean {
  const marked = value as { readonly _jsonata_lambda?: unknown; readonly _jsonata_function?: unknown };
  return marked._jsonata_lambda === true || marked._jsonata_function === true;
}

/**
 * A result as a plain JSON value, as `JSON.parse(JSON.stringify(value))` would make it but without the text:
 * jsonata builds objects without a prototype and arrays with extra properties, and other plugins may expect plain
 * ones. Functions (lambdas) and `undefined` are dropped from objects and become `null` in arrays; a function result is
 * nothing.
 */
export function toJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return typeof value === 'function' ? undefined : value;
  if (isJsonataFunction(value)) return undefined;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = toJson(value[i]) ?? null;
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const member = toJson((value as Record<string, unknown>)[key]);
    if (member === undefined) continue;
    // An own `__proto__` key (JSON.parse makes them) stays a key instead of becoming the prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: member, enumerable: true, writable: true, configurable: true });
    else out[key] = member;
  }
  return out;
}
