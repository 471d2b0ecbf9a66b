/**
 * A function's `provider` configuration for type `nats`, read and checked once:
 *
 *   { "subject": "svc.orders.create", "timeout": 2000, "binary": false }
 */

/** The largest delay `setTimeout` honours (2^31 - 1 ms). */
export const MAX_TIMEOUT_MS = 2_147_483_647;

export interface NatsFunctionSettings {
  readonly subject: string;
  /** ms; undefined: the provider's default. */
  readonly timeout: number | undefined;
  /** CloudEvents binary mode (attributes in headers, data as the payload) instead of structured JSON. */
  readonly binary: boolean;
}

export const MISSING_SUBJECT = 'subject must be a non-empty string (a NATS subject such as "svc.orders.create")';

/** Why `subject` cannot be requested, or undefined. Wildcards can be subscribed to, not published to. */
export function subjectProblem(subject: unknown): string | undefined {
  if (typeof subject !== 'string' || subject === '') return MISSING_SUBJECT;
  // eslint-disable-next-line no-control-regex -- NATS subjects must not contain control characters
  if (/[\s\x00-\x1f\x7f]/.test(subject)) return `subject ${JSON.stringify(subject)} must not contain spaces or control characters`;
  if (/[*>]/.test(subject)) return `subject "${subject}" must not contain wildcards ("*" or ">"): a request goes to one exact subject`;
  if (subject.split('.').some((token) => token === '')) return `subject "${subject}" must not have empty tokens (a leading, trailing or double ".")`;
  return undefined;
}

/** Reads the whole config; returns the settings, or an error message for the Config API. */
export function readFunctionConfig(config: unknown): NatsFunctionSettings | string {
  if (typeof config !== 'object' || config === null) return MISSING_SUBJECT;
  const raw = config as Record<string, unknown>;
  const subject = raw['subject'];
  const problem = subjectProblem(subject);
  if (problem !== undefined) return problem;
  // JSON `null` counts as absent for the optional fields.
  const timeout = raw['timeout'] ?? undefined;
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout <= 0 || timeout > MAX_TIMEOUT_MS)) {
    return `timeout must be a positive integer number of milliseconds (at most ${MAX_TIMEOUT_MS})`;
  }
  const binary = raw['binary'] ?? undefined;
  if (binary !== undefined && typeof binary !== 'boolean') return 'binary must be a boolean';
  return { subject: subject as string, timeout, binary: binary === true };
}
