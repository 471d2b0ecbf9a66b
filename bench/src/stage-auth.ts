/**
 * Auth stage benchmark: the CPU `@switchyard/plugin-auth` adds per event, in process. Each scenario calls one hook
 * N times (after a warm-up) with a fresh request object per call (so nothing is memoised across events), and
 * reports process CPU time / N, and the difference with the same hook without the plugin:
 *
 *   auth hook (`hooks.auth.promise(ctx)`)
 *     auth/baseline          no plugin: the hook with no tap
 *     auth/no-credentials    the plugin with authorizers only (strips client-sent authorizations)
 *     auth/apikey-header     API keys required, `X-Api-Key: sy_…` (parse, index lookup, SHA-256, timingSafeEqual)
 *     auth/apikey-bearer     the same key as `Authorization: Bearer sy_…`, limited to the event's type
 *     auth/jwt-jwks          a JWT (ES256) verified with jose against a local JWKS, already fetched (cached)
 *     auth/jwt-jwks-rs256    the same with an RS256 (2048-bit) JWT
 *     auth/jwt-hs256         a JWT (HS256) verified with a static secret
 *   prepare hook (`hooks.prepare.promise(invocation, ctx)`), per target
 *     prepare/baseline       no plugin
 *     prepare/no-authorizer  the plugin, the event type has no authorizer (lookup only)
 *     prepare/cached         the plugin, an authorizer verdict served from the cache (key hash + attach)
 *
 *   npm run build && node bench/dist/src/stage-auth.js [--iterations 100000] [--warmup 20000]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { Gateway } from '@switchyard/core';
import type { EventContext, GatewayPlugin, IncomingRequest, Invocation, Logger } from '@switchyard/core';
import { AuthPlugin } from '@switchyard/plugin-auth';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

function setting(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? process.env[name.toUpperCase()] : process.argv[at + 1];
  const parsed = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(parsed) && parsed > 0 ? Math.floor(parsed) : fallback;
}

const iterations = Math.max(20_000, setting('iterations', 100_000));
const warmup = setting('warmup', 20_000);
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const HS_SECRET = 'bench-secret-bench-secret-bench-secret!';

function request(headers: Record<string, string>): IncomingRequest {
  return { method: 'POST', path: '/', decodedPath: '/', host: '127.0.0.1', headers: { ...headers }, query: {}, body: Buffer.alloc(0) };
}

function context(headers: Record<string, string>): EventContext {
  return {
    request: request(headers),
    event: { specversion: '1.0', id: 'bench', source: '/bench', type: 'user.created', datacontenttype: 'application/json', data: { n: 1 } },
    specVersion: '1.0', space: 'default', spaceScoped: false, state: {}, receivedAt: Date.now(),
  };
}

interface Scenario {
  readonly name: string;
  readonly plugins: GatewayPlugin[];
  /** Prepare the gateway; returns the request headers of every call. */
  readonly setup?: (gateway: Gateway, plugin: AuthPlugin | undefined) => Promise<Record<string, string>>;
  readonly hook: 'auth' | 'prepare';
}

async function run(scenario: Scenario): Promise<{ usPerEvent: number; failed: number }> {
  const gateway = new Gateway({ logger: silent, plugins: scenario.plugins });
  await gateway.start({ eventsPort: 0, configPort: 0 });
  const plugin = scenario.plugins.find((p): p is AuthPlugin => p instanceof AuthPlugin);
  const put = (kind: string, id: string, value: unknown) => gateway.table.apply({ op: 'put', entry: { kind, space: 'default', id, value, revision: 1 } });
  put('functions', 'fn', { space: 'default', functionId: 'fn', type: 'http', provider: { url: 'http://127.0.0.1:9/' } });
  put('functions', 'auth', { space: 'default', functionId: 'auth', type: 'http', provider: { url: 'http://127.0.0.1:9/' } });
  put('eventtypes', 'user.created', { space: 'default', name: 'user.created', ...(scenario.name === 'prepare/cached' ? { authorizerId: 'auth' } : {}) });
  const headers = (await scenario.setup?.(gateway, plugin)) ?? {};
  const fn = gateway.table.function('default', 'fn')!;
  let failed = 0;
  const once = async (): Promise<void> => {
    const ctx = context(headers);
    try {
      if (scenario.hook === 'auth') await gateway.hooks.auth.promise(ctx);
      else {
        const invocation: Invocation = { space: 'default', function: fn, mode: 'async', event: ctx.event, specVersion: '1.0' };
        const out = await gateway.hooks.prepare.promise(invocation, ctx);
        if (out.skip !== undefined) failed++;
      }
    } catch {
      failed++;
    }
  };
  for (let i = 0; i < warmup; i++) await once();
  failed = 0;
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await once();
  const used = process.cpuUsage(start);
  await gateway.close();
  return { usPerEvent: (used.user + used.system) / iterations, failed };
}

/** A local JWKS server with an ES256 and an RS256 key, and a token signed by each. */
async function jwks(): Promise<{ url: string; tokens: Record<'ES256' | 'RS256', string>; fetches: () => number; close: () => void }> {
  const keys: Record<string, unknown>[] = [];
  const tokens: Record<string, string> = {};
  for (const alg of ['ES256', 'RS256'] as const) {
    const { publicKey, privateKey } = await generateKeyPair(alg);
    const kid = `bench-${alg}`;
    keys.push({ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' });
    tokens[alg] = await new SignJWT({ scope: 'emit' }).setProtectedHeader({ alg, kid }).setSubject('bench-user')
      .setIssuer('https://issuer.bench').setAudience('switchyard').setIssuedAt().setExpirationTime('2h').sign(privateKey);
  }
  let fetches = 0;
  const server = createServer((_req, res) => {
    fetches++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    tokens: tokens,
    fetches: () => fetches,
    close: () => server.close(),
  };
}

async function main(): Promise<void> {
  const remote = await jwks();
  const hsToken = await new SignJWT({ scope: 'emit' }).setProtectedHeader({ alg: 'HS256' }).setSubject('bench-user').setExpirationTime('2h')
    .sign(new TextEncoder().encode(HS_SECRET));
  const newKey = async (plugin: AuthPlugin | undefined, gateway: Gateway, eventTypes?: string[]) =>
    (await plugin!.state(gateway)!.apiKeys!.create('default', eventTypes ? { eventTypes } : {})).key;
  const scenarios: Scenario[] = [
    { name: 'auth/baseline', hook: 'auth', plugins: [] },
    { name: 'auth/no-credentials', hook: 'auth', plugins: [new AuthPlugin()] },
    { name: 'auth/apikey-header', hook: 'auth', plugins: [new AuthPlugin({ apiKeys: { required: true } })], setup: async (g, p) => ({ 'x-api-key': await newKey(p, g) }) },
    {
      name: 'auth/apikey-bearer', hook: 'auth', plugins: [new AuthPlugin({ apiKeys: { required: true } })],
      setup: async (g, p) => ({ authorization: `Bearer ${await newKey(p, g, ['user.created'])}` }),
    },
    {
      name: 'auth/jwt-jwks', hook: 'auth', plugins: [new AuthPlugin({ jwt: { required: true, jwksUrl: remote.url, issuer: 'https://issuer.bench', audience: 'switchyard' } })],
      setup: async () => ({ authorization: `Bearer ${remote.tokens.ES256}` }),
    },
    {
      name: 'auth/jwt-jwks-rs256', hook: 'auth', plugins: [new AuthPlugin({ jwt: { required: true, jwksUrl: remote.url, issuer: 'https://issuer.bench', audience: 'switchyard' } })],
      setup: async () => ({ authorization: `Bearer ${remote.tokens.RS256}` }),
    },
    { name: 'auth/jwt-hs256', hook: 'auth', plugins: [new AuthPlugin({ jwt: { required: true, keys: [{ secret: HS_SECRET }] } })], setup: async () => ({ authorization: `Bearer ${hsToken}` }) },
    { name: 'prepare/baseline', hook: 'prepare', plugins: [] },
    { name: 'prepare/no-authorizer', hook: 'prepare', plugins: [new AuthPlugin()] },
    {
      name: 'prepare/cached', hook: 'prepare', plugins: [new AuthPlugin({ authorizerCache: { ttlMs: 3_600_000 } })],
      setup: async (g, p) => {
        const headers = { authorization: 'Bearer user-token' };
        const cache = p!.state(g)!.authorizers!.cache!;
        cache.set(cache.key('default', 'auth', 'user.created', headers)!, { ok: true, authorization: { principalId: 'u', context: { role: 'x' } } });
        return headers;
      },
    },
  ];
  console.log(`Auth stage CPU per event — ${new Date().toISOString()}, Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}`);
  console.log(`${iterations} calls per scenario after ${warmup} warm-up calls; a fresh request per call\n`);
  const results: Record<string, { usPerEvent: number; addedUs: number; failed: number }> = {};
  const baselines: Record<string, number> = {};
  try {
    for (const scenario of scenarios) {
      const { usPerEvent, failed } = await run(scenario);
      if (scenario.name.endsWith('/baseline')) baselines[scenario.hook] = usPerEvent;
      results[scenario.name] = { usPerEvent: round(usPerEvent), addedUs: round(usPerEvent - (baselines[scenario.hook] ?? 0)), failed };
    }
  } finally {
    remote.close();
  }
  // each JWKS scenario fetches once, at start: every verification used the cached set
  console.log(`JWKS fetches: ${remote.fetches()} (one per JWKS scenario, at start)\n`);
  const rows = Object.entries(results).map(([name, r]) => [name, r.usPerEvent.toFixed(2), r.addedUs.toFixed(2), String(r.failed)]);
  const header = ['scenario', 'CPU µs/event', 'added µs', 'failed'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(`\n${JSON.stringify({ bench: 'stage-auth', node: process.version, iterations, results })}`);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
