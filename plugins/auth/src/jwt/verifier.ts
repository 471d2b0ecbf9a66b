/**
 * JWT verification with `jose`: `jwtVerify` with a remote JWKS (`createRemoteJWKSet`, cached and refetched for
 * unknown `kid`s) and/or static keys (PEM, JWK, HMAC secret), checking the signature, the accepted algorithms
 * (never `none`), `exp`/`nbf` (with `clockTolerance`), `iss` and `aud`.
 *
 * Key choice for a token with header `{alg, kid}`: the static keys of the algorithm's family (RSA for RS/PS, EC for
 * ES, OKP for EdDSA, secrets for HS) — the one with that `kid` when the token names one and a key has it, else the
 * first without a `kid` —, else the JWKS. An RSA public key can never be used as an HMAC secret.
 *
 * Failures are 401s whose message names the problem (`Invalid JWT: the token has expired.`), never key material.
 */
import type { FlattenedJWSInput, JWK, JWSHeaderParameters, JWTVerifyGetKey, JWTVerifyOptions } from 'jose';
import { createRemoteJWKSet, decodeProtectedHeader, importJWK, importSPKI, importX509, jwtVerify } from 'jose';
import type { Logger } from '@switchyard/core';
import type { JwtVerifier } from '../caller.ts';
import { EVENTS_REALM } from '../caller.ts';
import { unauthorized } from '../errors.ts';
import type { JwtKey, JwtOptions, KeyFamily } from './options.ts';
import { checkJwtOptions, familyOf, keyFamily } from './options.ts';

/** What jose's key import gives (a CryptoKey, or bytes for an HMAC secret). */
type VerifyKey = Awaited<ReturnType<typeof importJWK>>;

interface StaticKey {
  readonly kid: string | undefined;
  readonly family: KeyFamily;
  /** Imported per algorithm on first use (jose binds an imported key to one algorithm). */
  readonly imported: Map<string, Promise<VerifyKey>>;
  readonly source: JwtKey;
}

export const KEYS_UNAVAILABLE = 'JWT could not be verified: the signing keys are unavailable.';

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
    this.#keys = (options.keys ?? []).map((source, i) => ({
      kid: typeof source === 'string' ? undefined : typeof source.kid === 'string' ? source.kid : undefined,
      family: keyFamily(source, i),
      imported: new Map(),
      source,
    }));
    this.#jwks = options.jwksUrl === undefined ? undefined : createRemoteJWKSet(new URL(options.jwksUrl), {
      timeoutDuration: options.jwksTimeoutMs ?? 5_000,
      cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
      cooldownDuration: options.jwksCooldownMs ?? 30_000,
    });
  }

  /** Fetch the JWKS now (the `start` hook), so the first request does not wait. Never throws. */
  async warm(): Promise<void> {
    if (this.#jwks === undefined) return;
    try {
      await this.#jwks.reload();
    } catch (err) {
      this.#logger?.warn({ err }, `${KEYS_UNAVAILABLE} (JWKS fetch at start failed; retried on use)`);
    }
  }

  async verify(token: string): Promise<Readonly<Record<string, unknown>>> {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch (err) {
      throw unauthorized('Invalid JWT: the token is malformed.', EVENTS_REALM, err);
    }
    if (typeof alg !== 'string' || !this.#algorithms.has(alg)) {
      throw unauthorized(`Invalid JWT: algorithm ${JSON.stringify(String(alg))} is not allowed.`, EVENTS_REALM);
    }
    try {
      const { payload } = await jwtVerify(token, this.#getKey, this.#verifyOptions);
      return payload as Readonly<Record<string, unknown>>;
    } catch (err) {
      throw this.#failure(err);
    }
  }

  readonly #getKey: JWTVerifyGetKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    const alg = header.alg ?? '';
    const candidate = this.#staticKey(alg, header.kid);
    if (candidate !== undefined) return this.#import(candidate, alg);
    if (this.#jwks !== undefined) return this.#jwks(header, token);
    throw Object.assign(new Error('no key matches'), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
  };

  #staticKey(alg: string, kid: string | undefined): StaticKey | undefined {
    const family = familyOf(alg);
    const usable = this.#keys.filter((k) => k.family === family);
    if (kid !== undefined) {
      const named = usable.find((k) => k.kid === kid);
      if (named !== undefined) return named;
      if (this.#jwks !== undefined) return undefined;
    }
    return usable.find((k) => k.kid === undefined) ?? (kid === undefined ? usable[0] : undefined);
  }

  #import(key: StaticKey, alg: string): Promise<VerifyKey> {
    let imported = key.imported.get(alg);
    if (imported === undefined) {
      imported = importKey(key.source, alg);
      key.imported.set(alg, imported);
    }
    return imported;
  }

  #failure(err: unknown): Error {
    const code = (err as { code?: unknown })?.code;
    const claim = (err as { claim?: unknown })?.claim;
    switch (code) {
      case 'ERR_JWT_EXPIRED':
        return unauthorized('Invalid JWT: the token has expired.', EVENTS_REALM, err);
      case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
        return unauthorized(`Invalid JWT: ${claimProblem(String(claim))}.`, EVENTS_REALM, err);
      case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
        return unauthorized('Invalid JWT: the signature does not verify.', EVENTS_REALM, err);
      case 'ERR_JOSE_ALG_NOT_ALLOWED':
        return unauthorized('Invalid JWT: its algorithm is not allowed.', EVENTS_REALM, err);
      case 'ERR_JWKS_NO_MATCHING_KEY':
      case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
        return unauthorized('Invalid JWT: no configured key matches the token.', EVENTS_REALM, err);
      case 'ERR_JWKS_TIMEOUT':
      case 'ERR_JWKS_INVALID':
        this.#logger?.warn({ err }, KEYS_UNAVAILABLE);
        return unauthorized(KEYS_UNAVAILABLE, EVENTS_REALM, err);
      case 'ERR_JWS_INVALID':
      case 'ERR_JWT_INVALID':
      case 'ERR_JOSE_NOT_SUPPORTED':
        return unauthorized('Invalid JWT: the token is malformed.', EVENTS_REALM, err);
      default:
        // a JWKS fetch error (network, HTTP status) has no jose code
        this.#logger?.warn({ err }, KEYS_UNAVAILABLE);
        return unauthorized(KEYS_UNAVAILABLE, EVENTS_REALM, err);
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

async function importKey(source: JwtKey, alg: string): Promise<VerifyKey> {
  if (typeof source === 'string') return source.includes('BEGIN CERTIFICATE') ? importX509(source, alg) : importSPKI(source, alg);
  if ('secret' in source && typeof source.secret === 'string') return new TextEncoder().encode(source.secret);
  return importJWK(source as JWK, alg);
}
