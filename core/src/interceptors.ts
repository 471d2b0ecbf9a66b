/**
 * Core's `register` interceptor: every tap of every hook is wrapped so a failure names its hook and tap
 * (tapable's generated code names taps `_x[n]` and does not say which one threw).
 */
import { GatewayError, isGatewayError } from './errors.ts';

type AnyFn = (...args: unknown[]) => unknown;

/** The part of a tapable hook the interceptor needs (tapable does not export its `FullTap` type). */
export interface InterceptableHook {
  readonly name: string | undefined;
  intercept(interceptor: { register?: (tap: RegisteredTap) => RegisteredTap }): void;
}
interface RegisteredTap {
  name: string;
  type: 'sync' | 'async' | 'promise';
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- tapable types a tap's fn as Function
  fn: Function;
}

/** Attach `hook/tap` to a GatewayError, or wrap anything else in `GW_ERR_HOOK_FAILED`. */
export function annotate(err: unknown, where: string): GatewayError {
  if (isGatewayError(err)) {
    err.tap ??= where;
    return err;
  }
  const message = err instanceof Error ? err.message : String(err);
  const wrapped = new GatewayError('GW_ERR_HOOK_FAILED', `${where} failed: ${message}`, { cause: err });
  wrapped.tap = where;
  return wrapped;
}

/** Install the interceptor on a hook; taps registered later are wrapped too. */
export function interceptTaps(hook: InterceptableHook): void {
  hook.intercept({
    register(tap: RegisteredTap) {
      const where = `${hook.name ?? 'hook'}/${tap.name}`;
      const fn = tap.fn as AnyFn;
      const wrapped = tap;
      if (wrapped.type === 'promise') {
        wrapped.fn = (...args: unknown[]) => {
          let result: unknown;
          try {
            result = fn(...args);
          } catch (err) {
            return Promise.reject(annotate(err, where));
          }
          return (result as Promise<unknown>).then(undefined, (err: unknown) => {
            throw annotate(err, where);
          });
        };
      } else if (wrapped.type === 'async') {
        wrapped.fn = (...args: unknown[]) => {
          const callback = args.pop() as (err?: unknown, value?: unknown) => void;
          fn(...args, (err?: unknown, value?: unknown) => callback(err ? annotate(err, where) : err, value));
        };
      } else {
        wrapped.fn = (...args: unknown[]) => {
          try {
            return fn(...args);
          } catch (err) {
            throw annotate(err, where);
          }
        };
      }
      return wrapped;
    },
  });
}
