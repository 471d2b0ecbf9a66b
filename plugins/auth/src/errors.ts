/**
 * The auth stage's rejections: 401 (no or bad credentials, with a `WWW-Authenticate` challenge) and 403 (credentials
 * fine, not allowed). Bodies are core's `{"errors":[{"message":…}]}`; messages name the problem, never key material.
 */
import { GatewayError } from '@switchyard/core';

/** 401 `GW_ERR_UNAUTHORIZED` with `WWW-Authenticate: Bearer realm="<realm>"` (RFC 6750 §3). */
export function unauthorized(message: string, realm: string, cause?: unknown): GatewayError {
  const error = escapeQuoted(message);
  return new GatewayError('GW_ERR_UNAUTHORIZED', message, {
    headers: { 'WWW-Authenticate': `Bearer realm="${realm}", error="invalid_token", error_description="${error}"` },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** 401 for a request that sent no credentials: the challenge without an error (RFC 6750 §3.1). */
export function credentialsRequired(message: string, realm: string): GatewayError {
  return new GatewayError('GW_ERR_UNAUTHORIZED', message, { headers: { 'WWW-Authenticate': `Bearer realm="${realm}"` } });
}

/** 403 `GW_ERR_FORBIDDEN`. */
export function forbidden(message: string, cause?: unknown): GatewayError {
  return new GatewayError('GW_ERR_FORBIDDEN', message, cause === undefined ? {} : { cause });
}

/** A header's quoted-string: no CR/LF, `"` and `\` escaped, non-Latin-1 characters dropped. */
function escapeQuoted(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, (c) => `\\${c}`);
}
