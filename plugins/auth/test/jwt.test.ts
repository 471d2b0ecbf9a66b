import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign as signBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { base64url, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { captureLogger } from '@switchyard/core/testing';
import { AuthPlugin } from '../src/index.ts';
import type { JsonWebKey, JwtKey } from '../src/index.ts';
import { JoseVerifier, KEYS_UNAVAILABLE, KEYS_UNAVAILABLE_RETRY_AFTER_S } from '../src/jwt/verifier.ts';
import type { FunctionServer, Running } from './helpers.ts';
import { emit10, request, setup, startDistribution, startFunction, waitFor } from './helpers.ts';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'switchyard';
const SECRET = 'an-hmac-secret-of-at-least-32-bytes!!';

/**
 * A real JWKS endpoint on 127.0.0.1 serving the keys it is given; counts fetches. `mode` simulates outages: `error`
 * answers 500, `drop` closes the connection without an answer.
 */
interface JwksServer {
  readonly url: string;
  keys: JWK[];
  fetches: number;
  mode: 'up' | 'error' | 'drop';
  close(): Promise<void>;
}

async function startJwks(keys: JWK[]): Promise<JwksServer> {
  const state: { keys: JWK[]; fetches: number; mode: JwksServer['mode'] } = { keys, fetches: 0, mode: 'up' };
  const server: Server = createServer((req, res) => {
    state.fetches++;
    if (state.mode === 'drop') {
      req.socket.destroy();
      return;
    }
    if (state.mode === 'error') {
      res.statusCode = 500;
      res.end('upstream trouble');
      return;
    }
    if (req.url !== '/.well-known/jwks.json') {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  });
}

interface Signer {
  readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  readonly jwk: JWK;
  readonly pem: string;
  readonly alg: string;
  readonly kid: string;
}

async function signer(alg: 'RS256' | 'ES256' | 'ES384', kid: string): Promise<Signer> {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }, pem: await exportSPKI(publicKey), alg, kid };
}

function token(s: Signer, claims: Record<string, unknown> = {}, o: { iss?: string; aud?: string; exp?: string | number; kid?: string | null; nbf?: string | number } = {}): Promise<string> {
  let jwt = new SignJWT({ scope: 'emit', ...claims })
    .setProtectedHeader({ alg: s.alg, ...(o.kid === null ? {} : { kid: o.kid ?? s.kid }) })
    .setSubject('user-42').setIssuer(o.iss ?? ISSUER).setAudience(o.aud ?? AUDIENCE).setIssuedAt().setExpirationTime(o.exp ?? '10m');
  if (o.nbf !== undefined) jwt = jwt.setNotBefore(o.nbf);
  return jwt.sign(s.privateKey);
}

const now = () => Math.floor(Date.now() / 1000);

/** DER: a tag, its length, its content. */
function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}
const OID_ECDSA_SHA256 = Buffer.from('06082a8648ce3d040302', 'hex');
const OID_COMMON_NAME = Buffer.from('0603550403', 'hex');

/**
 * A self-signed X.509 certificate (PEM) for an EC P-256 key, built here so that no private key is kept in the
 * repository: `jwt.keys` accepts a `CERTIFICATE` and verifies with its public key.
 */
function selfSignedCertificate(publicKey: KeyObject, privateKey: KeyObject): string {
  const name = der(0x30, der(0x31, der(0x30, OID_COMMON_NAME, der(0x0c, Buffer.from('switchyard-test-issuer')))));
  const algorithm = der(0x30, OID_ECDSA_SHA256);
  const tbs = der(0x30,
    der(0xa0, der(0x02, Buffer.from([2]))), // v3
    der(0x02, Buffer.from([1])), // serial
    algorithm, name,
    der(0x30, der(0x17, Buffer.from('200101000000Z')), der(0x17, Buffer.from('491231235959Z'))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }));
  const signature = signBytes('sha256', tbs, privateKey);
  const certificate = der(0x30, tbs, algorithm, der(0x03, Buffer.from([0]), signature));
  const lines = certificate.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

describe('JWT over HTTP with a real JWKS server', () => {
  let jwks: JwksServer;
  let rsa: Signer;
  let ec: Signer;
  let stranger: Signer;
  let gw: Running;
  let fn: FunctionServer;

  before(async () => {
    rsa = await signer('RS256', 'rsa-1');
    ec = await signer('ES256', 'ec-1');
    stranger = await signer('RS256', 'rsa-1'); // same kid, another key
    jwks = await startJwks([rsa.jwk, ec.jwk]);
    fn = await startFunction();
    gw = await startDistribution([new AuthPlugin({ jwt: { required: true, jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE, jwksCooldownMs: 1 } })]);
    await setup(gw.config, { functionId: 'fn', url: fn.url, eventType: 'a.b', type: 'async' });
  });
  after(async () => {
    await gw.close();
    await Promise.all([fn.close(), jwks.close()]);
  });

  const emitWith = (t: string) => emit10(gw.events, 'a.b', {}, { authorization: `Bearer ${t}` });
  const refusedWith = async (t: string, message: string) => {
    const reply = await emitWith(t);
    assert.equal(reply.status, 401, reply.text);
    assert.deepEqual(reply.body, { errors: [{ message }] });
    const challenge = reply.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer realm="switchyard", error="invalid_token", error_description="/);
  };

  it('a valid token (RS256 and ES256) passes; its claims are the event\'s authorization; the JWKS was fetched once (at start)', async () => {
    assert.equal(jwks.fetches, 1, 'fetched by the start hook');
    assert.equal((await emitWith(await token(rsa, { tenant: 't1' }))).status, 202);
    assert.equal((await emitWith(await token(ec))).status, 202);
    await waitFor(() => fn.calls.length === 2);
    const authorization = fn.calls[0]!.json<Record<string, { principalId: string; context: Record<string, unknown> }>>()['eventgatewayauthorization']!;
    assert.equal(authorization.principalId, 'user-42');
    assert.equal(authorization.context['tenant'], 't1');
    assert.equal(authorization.context['iss'], ISSUER);
    assert.equal(authorization.context['aud'], AUDIENCE);
    assert.equal(typeof authorization.context['exp'], 'number');
    assert.equal(jwks.fetches, 1, 'verifications use the cached JWKS');
  });

  it('refuses missing, malformed, expired, not-yet-valid, wrong-issuer and wrong-audience tokens', async () => {
    const none = await emit10(gw.events, 'a.b');
    assert.equal(none.status, 401);
    assert.deepEqual(none.body, { errors: [{ message: 'JWT required: send "Authorization: Bearer <token>".' }] });
    await refusedWith('not-a-jwt', 'Invalid JWT: the token is malformed.');
    await refusedWith('a.b.c', 'Invalid JWT: the token is malformed.');
    const [header, , signature] = (await token(rsa)).split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'admin', iss: ISSUER, aud: AUDIENCE, exp: now() + 600 })).toString('base64url');
    await refusedWith(`${header}.${forged}.${signature}`, 'Invalid JWT: the signature does not verify.');
    await refusedWith(await token(rsa, {}, { exp: now() - 60 }), 'Invalid JWT: the token has expired.');
    await refusedWith(await token(rsa, {}, { nbf: now() + 600 }), 'Invalid JWT: the token is not valid yet ("nbf").');
    await refusedWith(await token(rsa, {}, { iss: 'https://evil.test' }), 'Invalid JWT: unexpected issuer ("iss").');
    await refusedWith(await token(rsa, {}, { aud: 'someone-else' }), 'Invalid JWT: unexpected audience ("aud").');
  });

  it('refuses alg "none", HMAC tokens (only asymmetric keys are configured), and foreign signatures', async () => {
    const unsecured = new UnsecuredJWT({ sub: 'user-42' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('10m').encode();
    await refusedWith(unsecured, 'Invalid JWT: algorithm "none" is not allowed.');
    // an HMAC token "signed" with the RSA public key's text: the classic algorithm confusion
    const confused = await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('10m')
      .sign(new TextEncoder().encode(rsa.pem));
    await refusedWith(confused, 'Invalid JWT: algorithm "HS256" is not allowed.');
    await refusedWith(await token(stranger), 'Invalid JWT: the signature does not verify.');
  });

  it('an unknown kid refetches the JWKS: rotated keys work, unknown ones are refused', async () => {
    const fetches = jwks.fetches;
    const rotated = await signer('ES256', 'ec-2');
    await refusedWith(await token(rotated), 'Invalid JWT: no configured key matches the token.');
    assert.ok(jwks.fetches > fetches);
    jwks.keys = [...jwks.keys, rotated.jwk];
    await waitFor(async () => (await emitWith(await token(rotated))).status === 202);
  });

  it('a message never contains key material', async () => {
    const reply = await emitWith(await token(stranger));
    for (const secret of [rsa.pem, JSON.stringify(rsa.jwk['n']), String(rsa.jwk['n']).slice(0, 20)]) assert.ok(!reply.text.includes(secret));
  });

  it('hostile headers are refused as JSON 401s: no alg, a long alg, an alg with CR/LF (no header injection)', async () => {
    const part = (value: unknown) => base64url.encode(JSON.stringify(value));
    const body = part({ sub: 'x', iss: ISSUER, aud: AUDIENCE, exp: now() + 600 });
    await refusedWith(`${part({ typ: 'JWT' })}.${body}.AAAA`, 'Invalid JWT: the token is malformed.');
    await refusedWith(`${part({ alg: 7 })}.${body}.AAAA`, 'Invalid JWT: the token is malformed.');
    await refusedWith(`${part({ alg: 'A'.repeat(4000) })}.${body}.AAAA`, `Invalid JWT: algorithm "${'A'.repeat(32)}…" is not allowed.`);
    const hostile = `${part({ alg: 'x"\r\nSet-Cookie: a=b' })}.${body}.AAAA`;
    await refusedWith(hostile, 'Invalid JWT: algorithm "x\\"\\r\\nSet-Cookie: a=b" is not allowed.');
    const injected = await emitWith(hostile);
    assert.equal(injected.headers.get('set-cookie'), null);
    assert.doesNotMatch(injected.headers.get('www-authenticate') ?? '', /[\r\n]/);
    assert.equal((await emitWith(await token(rsa))).status, 202, 'the gateway still serves');
  });
});

describe('JWT with static keys (unit, JoseVerifier)', () => {
  it('verifies PEM, JWK and HMAC keys, choosing by kid and algorithm family', async () => {
    const rsa = await signer('RS256', 'pem-key');
    const ec = await signer('ES256', 'jwk-key');
    const verifier = new JoseVerifier({ keys: [rsa.pem, ec.jwk, { secret: SECRET, kid: 'hs' }], issuer: ISSUER, audience: [AUDIENCE, 'other'] });
    assert.equal((await verifier.verify(await token(rsa, {}, { kid: null })))['sub'], 'user-42');
    assert.equal((await verifier.verify(await token(ec)))['scope'], 'emit');
    const hs = await new SignJWT({ n: 1 }).setProtectedHeader({ alg: 'HS256', kid: 'hs' }).setIssuer(ISSUER).setAudience('other').setExpirationTime('1m')
      .sign(new TextEncoder().encode(SECRET));
    assert.equal((await verifier.verify(hs))['n'], 1);
    const hs512 = await new SignJWT({ n: 2 }).setProtectedHeader({ alg: 'HS512', kid: 'hs' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('1m')
      .sign(new TextEncoder().encode(SECRET));
    assert.equal((await verifier.verify(hs512))['n'], 2, 'one secret serves HS256/384/512');
    assert.equal((await verifier.verify(hs))['n'], 1, 'the imported key is reused');
    const wrongSecret = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('1m')
      .sign(new TextEncoder().encode('x'.repeat(40)));
    await assert.rejects(verifier.verify(wrongSecret), { status: 401, message: 'Invalid JWT: the signature does not verify.' });
  });

  it('verifies with an X.509 certificate; the public JwtKey type takes what jose exportJWK returns', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk: JsonWebKey = await exportJWK(publicKey);
    const keys: JwtKey[] = [selfSignedCertificate(publicKey, privateKey), { ...jwk, kid: 'same-key-as-jwk' }];
    const verifier = new JoseVerifier({ keys, issuer: ISSUER });
    const signed = (kid?: string) => new SignJWT({}).setProtectedHeader({ alg: 'ES256', ...(kid === undefined ? {} : { kid }) }).setSubject('cert-user')
      .setIssuer(ISSUER).setExpirationTime('1m').sign(privateKey);
    assert.equal((await verifier.verify(await signed()))['sub'], 'cert-user');
    assert.equal((await verifier.verify(await signed('same-key-as-jwk')))['sub'], 'cert-user');
  });

  it('a key serves only its own family and curve: no algorithm confusion, no key for a mismatched curve', async () => {
    const rsa = await signer('RS256', 'r');
    const named = (await signer('ES256', 'p256-alg')).jwk; // names alg ES256
    const unnamed: JWK = { ...(await signer('ES256', 'p256')).jwk };
    delete unnamed.alg;
    const verifier = new JoseVerifier({ keys: [rsa.pem, named, unnamed], algorithms: ['RS256', 'HS256', 'ES384'] });
    // HS256 "signed" with the RSA public key's text: the RSA key is never an HMAC secret
    const confused = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1m').sign(new TextEncoder().encode(rsa.pem));
    await assert.rejects(verifier.verify(confused), { status: 401, message: 'Invalid JWT: no configured key matches the token.' });
    // ES384 tokens for P-256 keys: the token's problem (401), not an outage; whether the JWK names its alg or not
    for (const kid of ['p256-alg', 'p256']) {
      await assert.rejects(verifier.verify(await token(await signer('ES384', kid))), { status: 401, message: 'Invalid JWT: no configured key matches the token.' });
    }
    assert.equal((await verifier.verify(await token(rsa, {}, { kid: null })))['sub'], 'user-42');
  });

  it('refuses private keys at boot', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const pem = await exportPKCS8(privateKey);
    assert.throws(() => new AuthPlugin({ jwt: { keys: [pem] } }), /'jwt.keys\[0\]' must be a public key, not a private one/);
  });

  it('clockTolerance accepts a token expired within the leeway; algorithms restricts the accepted algs', async () => {
    const rsa = await signer('RS256', 'k');
    const expired = await token(rsa, {}, { exp: now() - 5 });
    await assert.rejects(new JoseVerifier({ keys: [rsa.jwk] }).verify(expired), { message: 'Invalid JWT: the token has expired.' });
    assert.equal((await new JoseVerifier({ keys: [rsa.jwk], clockTolerance: 30 }).verify(expired))['sub'], 'user-42');
    await assert.rejects(new JoseVerifier({ keys: [rsa.jwk], algorithms: ['ES256'] }).verify(await token(rsa)), { message: 'Invalid JWT: algorithm "RS256" is not allowed.' });
  });

  it('an unreachable JWKS is a 503 "keys unavailable" with Retry-After, logged; warm does not throw', async () => {
    const logger = captureLogger();
    const verifier = new JoseVerifier({ jwksUrl: 'http://127.0.0.1:9/jwks.json', jwksTimeoutMs: 500 }, logger);
    await verifier.warm();
    assert.ok(logger.records.some((r) => r.level === 'warn'));
    const rsa = await signer('RS256', 'k');
    await assert.rejects(verifier.verify(await token(rsa)), (err: { status?: number; message?: string; expose?: boolean; headers?: Record<string, string> }) => {
      assert.equal(err.status, 503);
      assert.equal(err.message, KEYS_UNAVAILABLE);
      assert.equal(err.message, 'JWT could not be verified: the signing keys are unavailable.');
      assert.equal(err.expose, true, 'the message reaches the client');
      assert.equal(err.headers?.['Retry-After'], String(KEYS_UNAVAILABLE_RETRY_AFTER_S));
      return true;
    });
    // a token that is refused before any key is needed stays a 401
    await assert.rejects(verifier.verify('garbage'), { status: 401, message: 'Invalid JWT: the token is malformed.' });
  });

  it('a fractional jwksTimeoutMs is accepted (jose wants whole milliseconds)', () => {
    assert.doesNotThrow(() => new JoseVerifier({ jwksUrl: 'http://127.0.0.1:9/jwks.json', jwksTimeoutMs: 1.5 }));
  });
});

describe('JWKS outages and key sets (HTTP)', () => {
  let jwks: JwksServer;
  let rsa: Signer;
  let gw: Running;
  let fn: FunctionServer;
  const logger = captureLogger();
  before(async () => {
    rsa = await signer('RS256', 'k1');
    jwks = await startJwks([rsa.jwk]);
    jwks.mode = 'drop';
    fn = await startFunction();
    gw = await startDistribution([new AuthPlugin({ jwt: { required: true, jwksUrl: jwks.url, jwksTimeoutMs: 1000, jwksCooldownMs: 0 } })], { logger });
    await setup(gw.config, { functionId: 'fn', url: fn.url, eventType: 'a.b', type: 'async' });
  });
  after(async () => {
    await gw.close();
    await Promise.all([fn.close(), jwks.close()]);
  });

  const unavailable = async (t: string) => {
    const reply = await emit10(gw.events, 'a.b', {}, { authorization: `Bearer ${t}` });
    assert.equal(reply.status, 503, reply.text);
    assert.deepEqual(reply.body, { errors: [{ message: 'JWT could not be verified: the signing keys are unavailable.' }] });
    assert.equal(reply.headers.get('retry-after'), '5');
    assert.equal(reply.headers.get('www-authenticate'), null, 'not the token\'s fault: no challenge');
  };

  it('the gateway starts with its JWKS down (warned); valid tokens get a 503 with Retry-After until the JWKS is back', async () => {
    assert.ok(logger.records.some((r) => r.level === 'warn' && String(r.msg).includes('JWKS fetch at start failed')));
    await unavailable(await token(rsa)); // connection dropped
    jwks.mode = 'error';
    await unavailable(await token(rsa)); // HTTP 500
    // tokens refused before any key is needed are still the caller's problem
    const none = await emit10(gw.events, 'a.b');
    assert.equal(none.status, 401);
    const malformed = await emit10(gw.events, 'a.b', {}, { authorization: 'Bearer nope' });
    assert.deepEqual(malformed.body, { errors: [{ message: 'Invalid JWT: the token is malformed.' }] });
    jwks.mode = 'up';
    assert.equal((await emit10(gw.events, 'a.b', {}, { authorization: `Bearer ${await token(rsa)}` })).status, 202, 'recovers without a restart');
    await waitFor(() => fn.calls.length === 1);
  });

  it('a token without a kid is tried with each JWKS key of its algorithm', async () => {
    const second = await signer('RS256', 'k2');
    jwks.keys = [rsa.jwk, second.jwk];
    const noKid = async (s: Signer) => emit10(gw.events, 'a.b', {}, { authorization: `Bearer ${await token(s, {}, { kid: null })}` });
    // k2 is not in the cached set yet: an unknown kid refetches (cooldown 0), then both keys are candidates
    assert.equal((await emit10(gw.events, 'a.b', {}, { authorization: `Bearer ${await token(second)}` })).status, 202);
    assert.equal((await noKid(rsa)).status, 202);
    assert.equal((await noKid(second)).status, 202);
    const stranger = await noKid(await signer('RS256', 'x'));
    assert.equal(stranger.status, 401);
    assert.deepEqual(stranger.body, { errors: [{ message: 'Invalid JWT: the signature does not verify.' }] });
    const expired = await emit10(gw.events, 'a.b', {}, { authorization: `Bearer ${await token(second, {}, { kid: null, exp: now() - 60 })}` });
    assert.deepEqual(expired.body, { errors: [{ message: 'Invalid JWT: the token has expired.' }] });
  });
});

describe('API keys and JWT together', () => {
  let jwks: JwksServer;
  let rsa: Signer;
  let gw: Running;
  let fn: FunctionServer;
  before(async () => {
    rsa = await signer('RS256', 'k1');
    jwks = await startJwks([rsa.jwk]);
    fn = await startFunction();
    gw = await startDistribution([new AuthPlugin({ apiKeys: {}, jwt: { jwksUrl: jwks.url } })]);
    await setup(gw.config, { functionId: 'fn', url: fn.url, eventType: 'a.b', type: 'async' });
  });
  after(async () => {
    await gw.close();
    await Promise.all([fn.close(), jwks.close()]);
  });

  it('a bearer starting with sy_ is an API key, any other bearer a JWT; both verified; the JWT is the authorization', async () => {
    const created = await request<{ key: string; keyId: string }>(`${gw.config}/v1/spaces/default/apikeys`, { method: 'POST', body: {} });
    const key = created.body.key;
    assert.equal((await emit10(gw.events, 'a.b', { n: 1 }, { authorization: `Bearer ${key}` })).status, 202);
    assert.equal((await emit10(gw.events, 'a.b', { n: 2 }, { authorization: `Bearer ${await token(rsa)}` })).status, 202);
    assert.equal((await emit10(gw.events, 'a.b', { n: 3 }, { authorization: `Bearer ${await token(rsa)}`, 'x-api-key': key })).status, 202);
    assert.deepEqual((await emit10(gw.events, 'a.b', {}, { authorization: 'Bearer sy_nope' })).body, { errors: [{ message: 'Invalid API key.' }] });
    assert.deepEqual((await emit10(gw.events, 'a.b', {}, { authorization: 'Bearer nope' })).body, { errors: [{ message: 'Invalid JWT: the token is malformed.' }] });
    assert.equal((await emit10(gw.events, 'a.b', {})).status, 202, 'neither is required');
    await waitFor(() => fn.calls.length === 4);
    const byN = new Map(fn.calls.map((c) => {
      const event = c.json<{ data: { n?: number }; eventgatewayauthorization?: { principalId: string } }>();
      return [event.data.n, event.eventgatewayauthorization?.principalId];
    }));
    assert.equal(byN.get(1), created.body.keyId);
    assert.equal(byN.get(2), 'user-42');
    assert.equal(byN.get(3), 'user-42');
    assert.equal(byN.get(undefined), undefined);
  });
});
