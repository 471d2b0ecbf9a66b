/**
 * The one error type of the SDK. Every failed call rejects with a `SwitchyardError`: an HTTP error reply
 * (`kind: 'http'`, with the server's messages), or no reply at all (`'network'`, `'timeout'`, `'aborted'`, with the
 * underlying error as `cause`).
 */

/** Why a call failed: an error status from the server, or no usable reply. */
export type SwitchyardErrorKind = 'http' | 'network' | 'timeout' | 'aborted';

/** One entry of the server's `{"errors":[…]}` body; `pointer` is a JSON Pointer into the event data (validation). */
export interface ErrorEntry {
  readonly message: string;
  readonly pointer?: string;
}

export interface SwitchyardErrorInit {
  readonly kind: SwitchyardErrorKind;
  readonly method: string;
  readonly url: string;
  /** The HTTP status; 0 when there was no reply. */
  readonly status?: number;
  readonly errors?: readonly ErrorEntry[];
  readonly headers?: Headers;
  /** The raw error body as text. */
  readonly body?: string;
  readonly cause?: unknown;
}

/**
 * A failed Switchyard call.
 *
 * - `status`: the HTTP status (0 for `network`, `timeout`, `aborted`).
 * - `messages`: the server's `{"errors":[{"message"}]}` texts in order (`messages[0]` is the summary); for a
 *   non-JSON error body (e.g. `404 page not found`), its text; for no reply, the cause's message.
 * - `errors`: the same entries with their `pointer` when the server gave one.
 * - `method`, `url`: the request. `headers`, `body`: the error reply (e.g. `Retry-After` on 429/503).
 */
export class SwitchyardError extends Error {
  override readonly name = 'SwitchyardError';
  readonly kind: SwitchyardErrorKind;
  readonly status: number;
  readonly messages: string[];
  readonly errors: ErrorEntry[];
  readonly method: string;
  readonly url: string;
  readonly headers: Headers | undefined;
  readonly body: string | undefined;

  constructor(init: SwitchyardErrorInit) {
    const errors = [...(init.errors ?? [])];
    const status = init.status ?? 0;
    const what = init.kind === 'http' ? String(status) : init.kind;
    super(`${init.method} ${init.url} failed (${what}): ${errors.map((e) => e.message).join('; ') || 'no details'}`, {
      cause: init.cause,
    });
    this.kind = init.kind;
    this.status = status;
    this.errors = errors;
    this.messages = errors.map((e) => e.message);
    this.method = init.method;
    this.url = init.url;
    this.headers = init.headers;
    this.body = init.body;
  }

  /** `Retry-After` of a 429 or 503 reply, in seconds, when the server sent one as a number. */
  get retryAfterSeconds(): number | undefined {
    const value = this.headers?.get('retry-after');
    return value !== null && value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
  }
}

/** Whether `err` is a `SwitchyardError` (also across copies of the SDK). */
export function isSwitchyardError(err: unknown): err is SwitchyardError {
  return err instanceof SwitchyardError || (err instanceof Error && err.name === 'SwitchyardError' && 'kind' in err);
}

/** The entries of an error body: `{"errors":[{"message"}]}` when it is one, else its text (trimmed), else the status. */
export function errorEntries(text: string, status: number): ErrorEntry[] {
  try {
    const parsed: unknown = JSON.parse(text);
    const list = typeof parsed === 'object' && parsed !== null ? (parsed as { errors?: unknown }).errors : undefined;
    if (Array.isArray(list)) {
      const entries: ErrorEntry[] = [];
      for (const item of list) {
        if (typeof item !== 'object' || item === null) continue;
        const { message, pointer } = item as { message?: unknown; pointer?: unknown };
        if (typeof message !== 'string') continue;
        entries.push(typeof pointer === 'string' ? { message, pointer } : { message });
      }
      if (entries.length > 0) return entries;
    }
  } catch {
    // not JSON: use the text
  }
  const trimmed = text.trim();
  return [{ message: trimmed === '' ? `HTTP ${status}` : trimmed }];
}
