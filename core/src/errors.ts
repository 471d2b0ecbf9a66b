/**
 * The one error type of Switchyard and the one table of its codes.
 *
 * Koa's exposure rule: `expose` is true below 500, so the message reaches the client; a 5xx sends a generic
 * message unless the table says otherwise. Every HTTP error body is `{"errors":[{"message":"…"}]}`.
 */

export interface GatewayErrorOptions extends ErrorOptions {
  /** Override the table's status. */
  readonly status?: number;
  /** Override Koa's rule (expose below 500). */
  readonly expose?: boolean;
  /** Extra response headers, e.g. `Retry-After`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Each problem on its own, sent (when exposed) as extra entries of the error envelope after the message. @since 0.1.0 */
  readonly details?: readonly ErrorDetail[];
}

/** One problem among several (e.g. a schema violation), with a JSON Pointer (RFC 6901) to the value at fault. */
export interface ErrorDetail {
  readonly message: string;
  readonly pointer?: string;
}

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  readonly headers: Readonly<Record<string, string>>;
  /** Problems listed one by one after the message (`{"errors":[{"message"},{"message","pointer"},…]}`); usually empty. */
  readonly details: readonly ErrorDetail[];
  /** `hook/tap` that threw, filled in by core's interceptor. */
  tap?: string;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? ERRORS[code];
    this.expose = options.expose ?? this.status < 500;
    this.headers = options.headers ?? {};
    this.details = options.details ?? [];
  }
}

/** Every error code and its HTTP status. One table, like fastify's `lib/errors.js`. */
export const ERRORS = {
  // boot and plugin loading
  GW_ERR_PLUGIN_INVALID: 500,
  GW_ERR_PLUGIN_DUPLICATE: 500,
  GW_ERR_PLUGIN_DEPENDENCY: 500,
  GW_ERR_PLUGIN_VERSION: 500,
  GW_ERR_PLUGIN_OPTIONS: 500,
  GW_ERR_HOOK_FAILED: 500,
  GW_ERR_ALREADY_STARTED: 500,
  // HTTP intake
  GW_ERR_BODY_TOO_LARGE: 413,
  GW_ERR_BAD_REQUEST: 400,
  GW_ERR_BAD_MEDIA_TYPE: 400,
  GW_ERR_INVALID_EVENT: 400,
  GW_ERR_SYSTEM_EVENT: 400,
  GW_ERR_DRAINING: 503,
  GW_ERR_NOT_FOUND: 404,
  GW_ERR_METHOD_NOT_ALLOWED: 405,
  // config API
  GW_ERR_VALIDATION: 400,
  GW_ERR_CONFLICT: 409,
  GW_ERR_IN_USE: 400,
  GW_ERR_STORE: 500,
  // auth stage
  GW_ERR_UNAUTHORIZED: 401,
  GW_ERR_FORBIDDEN: 403,
  GW_ERR_RATE_LIMITED: 429,
  // invoke stage
  GW_ERR_NO_PROVIDER: 500,
  GW_ERR_FUNCTION_NOT_FOUND: 500,
  GW_ERR_FUNCTION_FAILED: 500,
  GW_ERR_FUNCTION_TIMEOUT: 500,
  GW_ERR_RESPONSE_MALFORMED: 500,
  GW_ERR_RESPONSE_TOO_LARGE: 500,
  GW_ERR_LOOP: 508,
  // async delivery
  GW_ERR_QUEUE_FULL: 429,
  GW_ERR_QUEUE_UNAVAILABLE: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERRORS;

/** The message the original Event Gateway sends for a failed function call (reference §4.5). */
export const FUNCTION_CALL_FAILED = 'Function call failed. Please check logs.';

/** The error envelope of both APIs: the message first, then one entry per detail (none for most errors). */
export function errorBody(message: string, details: readonly ErrorDetail[] = []): { errors: { message: string; pointer?: string }[] } {
  const errors: { message: string; pointer?: string }[] = [{ message }];
  for (const d of details) errors.push(d.pointer === undefined ? { message: d.message } : { message: d.message, pointer: d.pointer });
  return { errors };
}

/** Whether a thrown value is a GatewayError (also across package copies). */
export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError || (err instanceof Error && err.name === 'GatewayError' && 'code' in err);
}
