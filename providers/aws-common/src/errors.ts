/**
 * What a failed AWS call becomes: a `GatewayError` for core (reference §4.5).
 *
 * The original told a sync client why a Lambda call was refused for three credential errors
 * (`router/router.go` `determineErrorMessage`); every other failure gets the generic
 * `Function call failed. Please check logs.`, with the detail in logs and system events.
 */
import { GatewayError } from '@switchyard/core';

/** The original's messages for the AWS error codes it exposed to sync clients (Lambda only). */
export const ACCESS_ERROR_MESSAGES: Readonly<Record<string, string>> = {
  AccessDeniedException:
    'Function call failed with AccessDeniedException. The provided credentials do not have the required IAM permissions to invoke this function. Please attach the lambda:invokeFunction permission to these credentials.',
  UnrecognizedClientException:
    'Function call failed with UnrecognizedClientException. The provided credentials are invalid. Please provide valid credentials.',
  ExpiredTokenException:
    'Function call failed with ExpiredTokenException. The provided security token for the function has expired. Please provide an updated security token or provide permanent credentials.',
};

/** The parts of an SDK v3 error we read (a `ServiceException`, or a transport error). */
interface SdkError {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** The AWS error code of an SDK error (`AccessDeniedException`), or a transport error's name or code. */
export function awsErrorCode(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkError;
  if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
  if (typeof e.code === 'string') return e.code;
  return 'Error';
}

export interface CallFailureOptions {
  /** Expose the original's messages for the credential errors (the Lambda provider). */
  readonly exposeAccessErrors: boolean;
  /** The call's deadline was reached. */
  readonly timedOut: boolean;
  readonly timeoutMs: number;
}

/** Maps what the SDK threw to the `GatewayError` core expects. */
export function callFailure(functionId: string, err: unknown, options: CallFailureOptions): GatewayError {
  if (options.timedOut) {
    return new GatewayError('GW_ERR_FUNCTION_TIMEOUT', `Function "${functionId}" timed out after ${options.timeoutMs} ms`, { cause: err });
  }
  const code = awsErrorCode(err);
  const exposed = options.exposeAccessErrors ? ACCESS_ERROR_MESSAGES[code] : undefined;
  if (exposed !== undefined) return new GatewayError('GW_ERR_FUNCTION_FAILED', exposed, { expose: true, cause: err });
  const message = err instanceof Error && err.message !== '' ? err.message : code;
  const status = (err as SdkError | null)?.$metadata?.httpStatusCode;
  const suffix = status === undefined ? '' : ` (HTTP ${status})`;
  return new GatewayError('GW_ERR_FUNCTION_FAILED', `Function "${functionId}" call failed: ${code}: ${message}${suffix}`, { cause: err });
}
