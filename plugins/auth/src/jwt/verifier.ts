/**
 * JWT verification with `jose`: `jwtVerify` with a remote JWKS (`createRemoteJWKSet`, cached and refetched for
 * unknown `kid`s) and/or static keys (PEM, JWK, HMAC secret), checking the signature, the accepted algorithms
 * (never `none`), `exp`/`nbf` (with `clockTolerance`), `iss` and `aud`.
 *
 * Key choice for a token with header `{alg, kid}`, among the keys of the algorithm's family (RSA for RS/PS, EC for
 * ES, OKP for EdDSA/Ed25519, secrets and `oct` JWKs for HS; a static JWK that names an `alg` only for that one):
 * - the token names a `kid`: the static key with that `kid`; else the JWKS (asymmetric algorithms); else, without a
 *   JWKS, the first static key without a `kid`;
 * - the token names no `kid`: the first static key without a `kid`, else the first static key, else the JWKS (which
 *   must then have exactly one key for the algorithm, or each of its candidates is tried).
 * An RSA public key can never be used as an HMAC secret, and HMAC keys never come from the JWKS.
 *
 * Failures: the token's fault is a 401 whose message names the problem (`Invalid JWT: the token has expired.`),
 * never key material. The JWKS unreachable or invalid is the gateway's fault, not the caller's: a 503 with
 * `Retry-After`, logged by core as every 5xx.
 */
import { subtle } from 'node:crypto';
import type { FlattenedJWSInput, JWK, JWSHeaderParameters, JWTVerifyGetKey, JWTVerifyOptions, FetchImplementation } from 'jose';
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, importJWK, importSPKI, importX509, jwtVerify } from 'jose';
import { GatewayError } from '@switchyard/core';
import type { Logger } from '@switchyard/core';
import type { JwtVerifier } from '../caller.ts';
import { EVENTS_REALM } from '../caller.ts';
import { unauthorized } from '../errors.ts';
import { PLUGIN_NAME } from '../types.ts';
import type { JwtKey, JwtOptions, KeyFamily } from './options.ts';
import { checkJwtOptions, familyOf, keyFamily } from './options.ts';

/** What jose's key import gives (a CryptoKey, or bytes for an HMAC secret). */
type VerifyKey = Awaited<ReturnType<typeof importJWK>>;
type Claims = Readonly<Record<string, unknown>>;

interface StaticKey {
  readonly index: number;
  readonly kid: string | undefined;
  /** A JWK's own `alg`: the key is only used for it. */
  readonly alg: string | undefined;
  readonly family: KeyFamily;
  /** Imported per algorithm on first use (jose binds an imported key to one algorithm). */
  readonly imported: Map<string, Promise<VerifyKey>>;
  readonly source: JwtKey;
}

export const KEYS_UNAVAILABLE = 'JWT could not be verified: the signing keys are unavailable.';
/** `Retry-After` (seconds) of the 503 sent while the JWKS cannot be fetched. */
export const KEYS_UNAVAILABLE_RETRY_AFTER_S = 5;

/** Codes of the errors thrown by the verifier's key lookup, read by `#failure`. */
const NO_KEY = 'SY_JWT_NO_KEY';
const JWKS_UNAVAILABLE = 'SY_JWKS_UNAVAILABLE';
/** jose's codes for a JWKS that could not be fetched or used: timeout, not a JWK set, non-200 or not JSON. */
const JWKS_FETCH_CODES = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JOSE_GENERIC']);
const MAX_ALG_SHOWN = 32;

function coded(code: string, message: string, cause?: unknown): Error {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code });
}

function codeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}

/** The JWKS fetch: network failures get a code of their own (jose passes them through as they are). */
const fetchJwks: FetchImplementation = async (url, init) => {
  try {
    return await fetch(url, init);
  } catch (err) {
    // jose turns a TimeoutError into its JWKSTimeout
    if (err instanceof Error && err.name === 'TimeoutError') throw err;
    throw coded(JWKS_UNAVAILABLE, 'JWKS fetch failed', err);
  }
};

export class JoseVerifier implements JwtVerifier {
  readonly #algorithms: ReadonlySet<string>;
  readonly #verifyOptions: JWTVerifyOptions;
  readonly #keys: readonly StaticKey[];
  readonly #jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  readonly #logger: Logger | undefined;

  constructor(options: JwtOptions, logger?: Logger) {
    const algorithms = checkJwtOptions(options);
    this.#algorithms = new Set(algorithms);
    this.#logger = logger;
    this.#verifyOptions = {
      algorithms: [...algorithms],
      ...(options.issuer === undefined ? {} : { issuer: typeof options.issuer === 'string' ? options.issuer : [...options.issuer] }),
      ...(options.audience === undefined ? {} : { audience: typeof options.audience === 'string' ? options.audience : [...options.audience] }),
      ...(options.clockTolerance === undefined ? {} : { clockTolerance: options.clockTolerance }),
    };
    this.#keys = (options.keys ?? []).map((source, index) => ({
      index,
      kid: typeof source === 'string' ? undefined : typeof source.kid === 'string' ? source.kid : undefined,
      alg: typeof source === 'string' || 'secret' in source || typeof source.alg !== 'string' ? undefined : source.alg,
      family: keyFamily(source, index),
      imported: new Map(),
      source,
    }));
    this.#jwks = options.jwksUrl === undefined ? undefined : createRemoteJWKSet(new URL(options.jwksUrl), {
      // jose wants a whole number of milliseconds
      timeoutDuration: Math.ceil(options.jwksTimeoutMs ?? 5_000),
      cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
      cooldownDuration: options.jwksCooldownMs ?? 30_000,
      [customFetch]: fetchJwks,
    });
  }

  /** Fetch the JWKS now (the `start` hook), so the first request does not wait. Never throws. */
  async warm(): Promise<void> {
    if (this.#jwks === undefined) return;
    try {
      await this.#jwks.reload();
    } catch (err) {
      this.#logger?.warn({ plugin: PLUGIN_NAME, err }, `${KEYS_UNAVAILABLE} (JWKS fetch at start failed; retried on use)`);
    }
  }

  /** The token's claims; rejects with a 401 naming the problem, or a 503 when the JWKS is unavailable. */
  async verify(token: string): Promise<Claims> {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch (err) {
      throw unauthorized('Invalid JWT: the token is malformed.', EVENTS_REALM, err);
    }
    if (typeof alg !== 'string' || alg === '') throw unauthorized('Invalid JWT: the token is malformed.', EVENTS_REALM);
    if (!this.#algorithms.has(alg)) {
      const shown = alg.length > MAX_ALG_SHOWN ? `${alg.slice(0, MAX_ALG_SHOWN)}…` : alg;
      throw unauthorized(`Invalid JWT: algorithm ${JSON.stringify(shown)} is not allowed.`, EVENTS_REALM);
    }
    try {
      const { payload } = await jwtVerify(token, this.#getKey, this.#verifyOptions);
      return payload;
    } catch (err) {
      if (codeOf(err) === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') return this.#verifyWithCandidates(token, err);
      throw this.#failure(err);
    }
  }

  /**
   * A token without a `kid` that several JWKS keys could verify: each is tried (jose's documented pattern). A
   * failure other than the signature (expired, wrong `aud`, …) is the same with any key: it ends the search.
   */
  async #verifyWithCandidates(token: string, err: unknown): Promise<Claims> {
    const candidates = err as AsyncIterable<VerifyKey>;
    let last: unknown = err;
    if (typeof (candidates as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function') {
      for await (const key of candidates) {
        try {
          return (await jwtVerify(token, key, this.#verifyOptions)).payload;
        } catch (e) {
          if (codeOf(e) !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') throw this.#failure(e);
          last = e;
        }
      }
    }
    throw this.#failure(last);
  }

  readonly #getKey: JWTVerifyGetKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    const alg = header.alg ?? '';
    const family = familyOf(alg);
    const candidate = this.#staticKey(alg, family, header.kid);
    if (candidate !== undefined) return this.#import(candidate, alg);
    if (this.#jwks === undefined || family === 'oct') throw coded(NO_KEY, 'no static key matches');
    try {
      return await this.#jwks(header, token);
    } catch (err) {
      const code = codeOf(err);
      if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw err;
      if (code === JWKS_UNAVAILABLE || (typeof code === 'string' && JWKS_FETCH_CODES.has(code))) throw coded(JWKS_UNAVAILABLE, 'JWKS unavailable', err);
      // the JWKS key for this token could not be imported (unsupported curve, too short, …)
      throw coded(NO_KEY, 'the JWKS key cannot verify this token', err);
    }
  };

  #staticKey(alg: string, family: KeyFamily | undefined, kid: string | undefined): StaticKey | undefined {
    const usable = this.#keys.filter((k) => k.family === family && (k.alg === undefined || k.alg === alg));
    if (kid !== undefined) {
      const named = usable.find((k) => k.kid === kid);
      if (named !== undefined) return named;
      if (this.#jwks !== undefined && family !== 'oct') return undefined;
      return usable.find((k) => k.kid === undefined);
    }
    return usable.find((k) => k.kid === undefined) ?? usable[0];
  }

  async #import(key: StaticKey, alg: string): Promise<VerifyKey> {
    let imported = key.imported.get(alg);
    if (imported === undefined) {
      imported = importKey(key.source, alg);
      key.imported.set(alg, imported);
    }
    try {
      return await imported;
    } catch (err) {
      // e.g. an ES384 token for a P-256 key: the key exists but cannot verify this algorithm
      this.#logger?.debug({ plugin: PLUGIN_NAME, err }, `'jwt.keys[${key.index}]' cannot verify ${alg} tokens`);
      throw coded(NO_KEY, 'the static key cannot verify this token', err);
    }
  }

  #failure(err: unknown): GatewayError {
    const code = codeOf(err);
    switch (code) {
      case 'ERR_JWT_EXPIRED':
        return unauthorized('Invalid JWT: the token has expired.', EVENTS_REALM, err);
      case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
        return unauthorized(`Invalid JWT: ${claimProblem(String((err as { claim?: unknown }).claim))}.`, EVENTS_REALM, err);
      case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
        return unauthorized('Invalid JWT: the signature does not verify.', EVENTS_REALM, err);
      case 'ERR_JOSE_ALG_NOT_ALLOWED':
        return unauthorized('Invalid JWT: its algorithm is not allowed.', EVENTS_REALM, err);
      case NO_KEY:
      case 'ERR_JWKS_NO_MATCHING_KEY':
      case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
        return unauthorized('Invalid JWT: no configured key matches the token.', EVENTS_REALM, err);
      case JWKS_UNAVAILABLE:
        return new GatewayError('GW_ERR_HOOK_FAILED', KEYS_UNAVAILABLE, {
          status: 503,
          expose: true,
          headers: { 'Retry-After': String(KEYS_UNAVAILABLE_RETRY_AFTER_S) },
          cause: err,
        });
      case 'ERR_JWS_INVALID':
      case 'ERR_JWT_INVALID':
      case 'ERR_JOSE_NOT_SUPPORTED':
        return unauthorized('Invalid JWT: the token is malformed.', EVENTS_REALM, err);
      default:
        // not expected from jose (e.g. a key jose refuses for this algorithm after lookup, such as a short RSA key)
        this.#logger?.warn({ plugin: PLUGIN_NAME, err }, 'JWT verification failed unexpectedly');
        return unauthorized('Invalid JWT: no configured key matches the token.', EVENTS_REALM, err);
    }
  }
}

function claimProblem(claim: string): string {
  switch (claim) {
    case 'iss': return 'unexpected issuer ("iss")';
    case 'aud': return 'unexpected audience ("aud")';
    case 'nbf': return 'the token is not valid yet ("nbf")';
    case 'iat': return 'invalid issued-at time ("iat")';
    case 'exp': return 'invalid expiry ("exp")';
    default: return `claim ${JSON.stringify(claim)} is invalid`;
  }
}

const HMAC_HASHES: Readonly<Record<string, string>> = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' };

async function importKey(source: JwtKey, alg: string): Promise<VerifyKey> {
  if (typeof source === 'string') return source.includes('BEGIN CERTIFICATE') ? importX509(source, alg) : importSPKI(source, alg);
  const key = 'secret' in source && typeof source.secret === 'string' ? new TextEncoder().encode(source.secret) : await importJWK(source as JWK, alg);
  const hash = HMAC_HASHES[alg];
  // jose imports HMAC bytes into a CryptoKey on every verification: do it once
  return key instanceof Uint8Array && hash !== undefined ? subtle.importKey('raw', key, { name: 'HMAC', hash }, false, ['verify']) : key;
}
