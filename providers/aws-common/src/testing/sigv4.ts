/**
 * Checking a request's AWS Signature Version 4 the way AWS does, with an implementation independent of the SDK's:
 * the signature is recomputed with `aws4` from the known secret over the headers the client says it signed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import aws4 from 'aws4';

/** A key the test server knows. */
export interface TestCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** When set, requests must carry it (`x-amz-security-token`). */
  readonly sessionToken?: string;
  /** The session token has expired: `ExpiredTokenException`. */
  readonly expired?: boolean;
  /** Valid, but without permission for anything: `AccessDeniedException`. */
  readonly denied?: boolean;
}

/** An AWS error the server answers with. */
export interface AwsError {
  readonly code: string;
  readonly message: string;
  /** Default: 400 (403 for Lambda's authentication and authorization errors). */
  readonly status?: number;
}

/** The parsed `Authorization` header. */
export interface Authorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;:-]+),\s*Signature=([0-9a-f]{64})$/;

export function parseAuthorization(header: string | undefined): Authorization | undefined {
  const m = AUTH.exec(header ?? '');
  if (m === null) return undefined;
  return { accessKeyId: m[1]!, date: m[2]!, region: m[3]!, service: m[4]!, signedHeaders: m[5]!.split(';'), signature: m[6]! };
}

export const MESSAGES = {
  missing: 'Missing Authentication Token',
  unrecognized: 'The security token included in the request is invalid.',
  signature:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  expired: 'The security token included in the request is expired',
} as const;

export interface SignedRequest {
  readonly method: string;
  /** The raw request target (path and query), as received. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * Verifies the request against the known keys. Returns the key and the parsed authorization, or the AWS error to
 * answer with (`MissingAuthenticationTokenException`, `UnrecognizedClientException`, `InvalidSignatureException`,
 * `ExpiredTokenException`, `AccessDeniedException` is left to the caller, which knows the resource).
 */
export function verifySignature(
  request: SignedRequest,
  keys: ReadonlyMap<string, TestCredentials>,
  expectedService: string,
): { ok: true; key: TestCredentials; auth: Authorization } | { ok: false; error: AwsError; auth: Authorization | undefined } {
  const header = request.headers['authorization'];
  if (header === undefined) return { ok: false, error: { code: 'MissingAuthenticationTokenException', message: MESSAGES.missing, status: 403 }, auth: undefined };
  const auth = parseAuthorization(header);
  if (auth === undefined) return { ok: false, error: { code: 'IncompleteSignatureException', message: `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=${header}` }, auth };
  const key = keys.get(auth.accessKeyId);
  if (key === undefined) return { ok: false, error: { code: 'UnrecognizedClientException', message: MESSAGES.unrecognized }, auth };
  const token = request.headers['x-amz-security-token'];
  if ((key.sessionToken ?? undefined) !== token) return { ok: false, error: { code: 'UnrecognizedClientException', message: MESSAGES.unrecognized }, auth };
  if (auth.service !== expectedService) {
    return { ok: false, error: { code: 'InvalidSignatureException', message: `Credential should be scoped to correct service: '${expectedService}'. ` }, auth };
  }
  const amzDate = request.headers['x-amz-date'];
  if (typeof amzDate !== 'string' || !amzDate.startsWith(auth.date)) return { ok: false, error: { code: 'InvalidSignatureException', message: MESSAGES.signature }, auth };
  // aws4 trusts x-amz-content-sha256 when present: check it against the body ourselves.
  const declared = request.headers['x-amz-content-sha256'];
  if (declared !== undefined && declared !== createHash('sha256').update(request.body).digest('hex')) {
    return { ok: false, error: { code: 'InvalidSignatureException', message: MESSAGES.signature }, auth };
  }

  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = name === 'host' ? (request.headers['host'] ?? request.headers[':authority']) : request.headers[name];
    if (value === undefined) return { ok: false, error: { code: 'InvalidSignatureException', message: MESSAGES.signature }, auth };
    headers[name] = Array.isArray(value) ? value.join(',') : String(value);
  }
  // aws4 adds a Host header when there is none (HTTP/2 clients sign `:authority` instead): leave it out then.
  const extraHeadersToIgnore = headers['host'] === undefined ? { host: true } : {};
  const signable = { method: request.method, path: request.path, headers, body: request.body, service: auth.service, region: auth.region, doNotModifyHeaders: true, extraHeadersToIgnore };
  const signer = new aws4.RequestSigner(
    signable,
    { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, ...(key.sessionToken === undefined ? {} : { sessionToken: key.sessionToken }) },
  );
  signer.datetime = amzDate; // with doNotModifyHeaders aws4 would take the time from the clock, not the request
  const signed = signer.sign();
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers?.['Authorization'] ?? ''))?.[1] ?? '';
  if (expected.length !== auth.signature.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature))) {
    return { ok: false, error: { code: 'InvalidSignatureException', message: MESSAGES.signature }, auth };
  }
  if (key.expired === true) return { ok: false, error: { code: 'ExpiredTokenException', message: MESSAGES.expired }, auth };
  return { ok: true, key, auth };
}
