/**
 * JWT options, and their checks at boot (`GW_ERR_PLUGIN_OPTIONS`).
 */
import { createPublicKey } from 'node:crypto';
import { GatewayError, isRecord } from '@switchyard/core';
import { PLUGIN_NAME } from '../types.ts';

/**
 * A public JSON Web Key (RFC 7517), or a `kty: "oct"` key for HMAC. The shape of jose's `JWK` (what `exportJWK`
 * returns, and the members of a JWKS), where every member is optional: `kty` is checked at boot (RSA, EC, OKP or oct),
 * not by the type.
 */
export interface JsonWebKey {
  readonly kty?: string;
  readonly kid?: string;
  readonly alg?: string;
  readonly [parameter: string]: unknown;
}

/**
 * A static verification key: a PEM string (an SPKI `PUBLIC KEY` or an X.509 `CERTIFICATE`), a public JWK, or an HMAC
 * shared secret (`{ secret }`, at least 32 bytes). `kid` picks the key for tokens that name one.
 */
export type JwtKey = string | JsonWebKey | { readonly secret: string; readonly kid?: string };

export interface JwtOptions {
  /** Refuse Events API requests without a valid JWT (401). Default false: a token is checked when sent. */
  readonly required?: boolean;
  /** Where the signing keys are published (JWKS). Fetched on first use, cached, refetched for unknown `kid`s. */
  readonly jwksUrl?: string;
  /** Static keys, tried before the JWKS. */
  readonly keys?: readonly JwtKey[];
  /** Accepted `iss` value(s). Default: any. */
  readonly issuer?: string | readonly string[];
  /** Accepted `aud` value(s). Default: any. */
  readonly audience?: string | readonly string[];
  /** Accepted `alg`s. Default: the asymmetric ones with a JWKS or public keys, HS256/384/512 with secrets. Never `none`. */
  readonly algorithms?: readonly string[];
  /** Leeway for `exp`/`nbf`, in seconds. Default 0. */
  readonly clockTolerance?: number;
  /** JWKS fetch timeout, ms. Default 5000. */
  readonly jwksTimeoutMs?: number;
  /** How long a fetched JWKS is used before it is fetched again, ms. Default 600 000. */
  readonly jwksCacheMaxAgeMs?: number;
  /** The least time between two JWKS fetches (a token with an unknown `kid` refetches), ms. Default 30 000. */
  readonly jwksCooldownMs?: number;
}

export const ASYMMETRIC_ALGORITHMS: readonly string[] = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
];
export const HMAC_ALGORITHMS: readonly string[] = ['HS256', 'HS384', 'HS512'];
const KNOWN_ALGORITHMS = new Set([...ASYMMETRIC_ALGORITHMS, ...HMAC_ALGORITHMS]);
const MIN_SECRET_BYTES = 32;

/** The key families an algorithm verifies with. */
export type KeyFamily = 'oct' | 'RSA' | 'EC' | 'OKP';

export function familyOf(alg: string): KeyFamily | undefined {
  if (alg.startsWith('HS')) return 'oct';
  if (alg.startsWith('RS') || alg.startsWith('PS')) return 'RSA';
  if (alg.startsWith('ES')) return 'EC';
  if (alg === 'EdDSA' || alg === 'Ed25519') return 'OKP';
  return undefined;
}

function fail(message: string): GatewayError {
  return new GatewayError('GW_ERR_PLUGIN_OPTIONS', `${PLUGIN_NAME}: ${message}`);
}

/** The family of a static key; throws for keys that cannot verify (private material, short secrets, bad PEM). */
export function keyFamily(key: unknown, index: number): KeyFamily {
  const where = `'jwt.keys[${index}]'`;
  if (typeof key === 'string') {
    let type: string | undefined;
    try {
      type = createPublicKey(key).asymmetricKeyType;
    } catch {
      throw fail(`${where} is not a PEM public key or certificate`);
    }
    if (key.includes('PRIVATE KEY')) throw fail(`${where} must be a public key, not a private one`);
    if (type === 'rsa' || type === 'rsa-pss') return 'RSA';
    if (type === 'ec') return 'EC';
    if (type === 'ed25519') return 'OKP';
    throw fail(`${where} has an unsupported key type "${type}"`);
  }
  if (!isRecord(key)) throw fail(`${where} must be a PEM string, a JWK or { secret }`);
  if ('secret' in key) {
    if (typeof key['secret'] !== 'string' || Buffer.byteLength(key['secret']) < MIN_SECRET_BYTES) {
      throw fail(`${where}.secret must be a string of at least ${MIN_SECRET_BYTES} bytes`);
    }
    return 'oct';
  }
  const kty = key['kty'];
  if (kty !== 'oct' && kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') throw fail(`${where} is not a JWK with a supported "kty"`);
  if (kty !== 'oct' && key['d'] !== undefined) throw fail(`${where} must be a public JWK (it has private "d")`);
  if (kty === 'oct' && typeof key['k'] !== 'string') throw fail(`${where} is an "oct" JWK without "k"`);
  return kty;
}

/** Check the options; returns the algorithms to accept. */
export function checkJwtOptions(options: unknown): readonly string[] {
  if (!isRecord(options)) throw fail("'jwt' must be an object");
  const { required, jwksUrl, keys, issuer, audience, algorithms, clockTolerance, jwksTimeoutMs, jwksCacheMaxAgeMs, jwksCooldownMs } = options;
  if (required !== undefined && typeof required !== 'boolean') throw fail("'jwt.required' must be a boolean");
  if (jwksUrl !== undefined) {
    const protocol = typeof jwksUrl === 'string' && URL.canParse(jwksUrl) ? new URL(jwksUrl).protocol : undefined;
    if (protocol !== 'http:' && protocol !== 'https:') throw fail("'jwt.jwksUrl' must be an http(s) URL");
  }
  if (keys !== undefined && !Array.isArray(keys)) throw fail("'jwt.keys' must be an array");
  const families = new Set(((keys ?? []) as unknown[]).map((k, i) => keyFamily(k, i)));
  if (jwksUrl === undefined && families.size === 0) throw fail("'jwt' needs 'jwksUrl' or 'keys'");
  for (const [name, value] of [['issuer', issuer], ['audience', audience]] as const) {
    const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
    if (list.some((v) => typeof v !== 'string' || v === '')) throw fail(`'jwt.${name}' must be a string or an array of strings`);
  }
  for (const [name, value] of [['clockTolerance', clockTolerance], ['jwksTimeoutMs', jwksTimeoutMs], ['jwksCacheMaxAgeMs', jwksCacheMaxAgeMs], ['jwksCooldownMs', jwksCooldownMs]] as const) {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) throw fail(`'jwt.${name}' must be a number ≥ 0`);
  }
  if (algorithms !== undefined) {
    if (!Array.isArray(algorithms) || algorithms.length === 0) throw fail("'jwt.algorithms' must be a non-empty array");
    for (const alg of algorithms) {
      if (alg === 'none') throw fail("'jwt.algorithms' must not allow \"none\"");
      if (typeof alg !== 'string' || !KNOWN_ALGORITHMS.has(alg)) throw fail(`'jwt.algorithms' has an unsupported algorithm ${JSON.stringify(alg)}`);
    }
    return algorithms as string[];
  }
  const defaults: string[] = [];
  if (jwksUrl !== undefined || families.has('RSA') || families.has('EC') || families.has('OKP')) defaults.push(...ASYMMETRIC_ALGORITHMS);
  if (families.has('oct')) defaults.push(...HMAC_ALGORITHMS);
  return defaults;
}
