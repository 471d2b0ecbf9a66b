/**
 * Timing function calls: a `register` interceptor on each `hooks.invoke` hook (one per function type) wraps every
 * provider tap, so each call of each function is timed where it happens, for sync calls, async delivery attempts
 * and authorizer calls alike. Hooks made later (`invoke.for(type)`) get it from a `HookMap` factory interceptor;
 * hooks that exist already (a provider applied before this plugin) are found by the types in `gateway.providers`.
 *
 * Recording never throws into the call: a failure to record is logged and the call's own result or error passes
 * through unchanged.
 */
import type { Gateway, InvokeHook, Invocation, InvokeResult, Logger } from '@switchyard/core';
import type { Metrics } from './metrics.ts';
import { outcomeOf } from './metrics.ts';

/** A tap as the `register` interceptor sees it (tapable does not export its `FullTap` type). */
interface RegisteredTap {
  name: string;
  type: 'sync' | 'async' | 'promise';
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- tapable types a tap's fn as Function
  fn: Function;
}
type AnyFn = (...args: unknown[]) => unknown;
type Callback = (err?: unknown, value?: unknown) => void;

export interface CallRecorder {
  /** A tap answered (`result`) or failed (`failed`); a tap that passed (`undefined`, bail hook) is not a call. */
  (invocation: Invocation, seconds: number, result: InvokeResult | undefined, failed: boolean): void;
}

/** Records a finished call: its duration per function and outcome, and `processed` for a sync event call. */
export function callRecorder(metrics: Metrics, logger: Logger): CallRecorder {
  return (invocation, seconds, result, failed) => {
    try {
      if (!failed && result === undefined) return;
      const { space } = invocation;
      metrics.invocationDuration.observe({ space, function: invocation.function.functionId, outcome: outcomeOf(failed ? undefined : result?.status) }, seconds);
      // An event's sync call (not an authorizer's, which carries its own payload): the original's `processed`.
      if (invocation.mode === 'sync' && invocation.payload === undefined) metrics.processed.inc({ space, type: invocation.event.type });
    } catch (err) {
      logger.error({ err }, 'metrics: recording a function call failed');
    }
  };
}

/** Wrap one tap's function so each call is timed. Exported for tests. */
export function timedTap(tap: RegisteredTap, record: CallRecorder): RegisteredTap {
  const fn = tap.fn as AnyFn;
  const done = (invocation: unknown, start: number, result: unknown, failed: boolean) =>
    record(invocation as Invocation, (performance.now() - start) / 1000, result as InvokeResult | undefined, failed);
  if (tap.type === 'promise') {
    tap.fn = (...args: unknown[]) => {
      const start = performance.now();
      let pending: Promise<unknown>;
      try {
        pending = fn(...args) as Promise<unknown>;
      } catch (err) {
        done(args[0], start, undefined, true);
        throw err;
      }
      return pending.then((result) => {
        done(args[0], start, result, false);
        return result;
      }, (err: unknown) => {
        done(args[0], start, undefined, true);
        throw err;
      });
    };
  } else if (tap.type === 'async') {
    tap.fn = (...args: unknown[]) => {
      const callback = args.pop() as Callback;
      const start = performance.now();
      fn(...args, (err?: unknown, value?: unknown) => {
        done(args[0], start, value, Boolean(err));
        callback(err, value);
      });
    };
  } else {
    tap.fn = (...args: unknown[]) => {
      const start = performance.now();
      let result: unknown;
      try {
        result = fn(...args);
      } catch (err) {
        done(args[0], start, undefined, true);
        throw err;
      }
      done(args[0], start, result, false);
      return result;
    };
  }
  return tap;
}

/**
 * Time every call of every `invoke` hook of `gateway`. Call in `apply()` (for hooks made later) and again in the
 * `start` hook (for hooks made before, by providers applied earlier); a hook is instrumented once.
 */
export class InvokeTimer {
  readonly #gateway: Gateway;
  readonly #record: CallRecorder;
  readonly #done = new WeakSet<InvokeHook>();

  constructor(gateway: Gateway, record: CallRecorder) {
    this.#gateway = gateway;
    this.#record = record;
    gateway.hooks.invoke.intercept({ factory: (_key, hook) => this.#instrument(hook) });
  }

  /** Instrument the hooks of every installed provider type that exist already. */
  instrumentExisting(): void {
    for (const type of this.#gateway.providers.keys()) {
      const hook = this.#gateway.hooks.invoke.get(type);
      if (hook !== undefined) this.#instrument(hook);
    }
  }

  #instrument(hook: InvokeHook): InvokeHook {
    if (this.#done.has(hook)) return hook;
    this.#done.add(hook);
    const record = this.#record;
    // tapable applies a `register` interceptor to the taps already there and to every later one.
    hook.intercept({ register: (tap) => timedTap(tap, record) });
    return hook;
  }
}
