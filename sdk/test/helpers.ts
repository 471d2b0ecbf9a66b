/**
 * Test harness: the real default distribution in process (`createGateway` from `switchyard`) on free ports, a
 * client for it, and a `fetch` over `node:http` that sends the URL's host as `Host` but connects to 127.0.0.1 (for
 * the host space strategy). Everything binds 127.0.0.1 and is stopped by the test that started it.
 */
import { request } from 'node:http';
import { captureLogger, startFunctionServer } from '@switchyard/core/testing';
import type { FunctionHandler, FunctionServer } from '@switchyard/core/testing';
import { createGateway } from 'switchyard';
import type { DistributionOptions } from 'switchyard';
import { Switchyard } from '../src/index.ts';
import type { FetchLike, SwitchyardOptions } from '../src/index.ts';

export interface Harness {
  readonly sy: Switchyard;
  readonly configUrl: string;
  readonly eventsUrl: string;
  /** A client of this gateway with other options. */
  client(options?: SwitchyardOptions): Switchyard;
  close(): Promise<void>;
}

/** Start the default distribution (quiet logs) with `options`, and a client for it. */
export async function startHarness(options: DistributionOptions = {}, clientOptions: SwitchyardOptions = {}): Promise<Harness> {
  const gateway = createGateway({ logger: captureLogger(), ...options });
  const { eventsUrl, configUrl } = await gateway.start({ eventsPort: 0, configPort: 0 });
  const client = (more: SwitchyardOptions = {}): Switchyard => new Switchyard({ configUrl, eventsUrl, ...clientOptions, ...more });
  return { sy: client(), configUrl, eventsUrl, client, close: () => gateway.close({ timeoutMs: 5000 }) };
}

/** Register an http function, its event type and a subscription; returns the subscription id. */
export async function wire(sy: Switchyard, o: {
  functionId: string; url: string; eventType: string; type?: 'sync' | 'async'; path?: string; method?: 'GET' | 'POST';
}): Promise<string> {
  await sy.functions.create({ functionId: o.functionId, type: 'http', provider: { url: o.url } });
  await sy.eventTypes.create({ name: o.eventType }).catch((err: { status?: number }) => {
    if (err.status !== 409) throw err;
  });
  const sub = await sy.subscriptions.create({
    type: o.type ?? 'async', eventType: o.eventType, functionId: o.functionId, path: o.path ?? '/', method: o.method ?? 'POST',
  });
  return sub.subscriptionId;
}

/**
 * A `fetch` over `node:http`: connects to 127.0.0.1 on the URL's port and sends the URL's host as `Host` (the
 * global fetch always sends the URL's own host). Counts its calls.
 */
export function loopbackFetch(): FetchLike & { calls: number } {
  const fn = (input: string, init: RequestInit): Promise<Response> => new Promise<Response>((resolve, reject) => {
    fn.calls++;
    const url = new URL(input);
    const headers: Record<string, string> = { host: url.host };
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    const req = request({
      host: '127.0.0.1', port: url.port, path: url.pathname + url.search, method: init.method ?? 'GET', headers,
      ...(init.signal ? { signal: init.signal } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 500;
        const replyHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') replyHeaders.set(name, value);
        resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers: replyHeaders }));
      });
    });
    req.on('error', reject);
    req.end(init.body as string | Uint8Array | undefined);
  });
  fn.calls = 0;
  return fn;
}

/** A gateway, its client and one function server, stopped together by `close`. */
export interface Fixture {
  readonly h: Harness;
  readonly sy: Switchyard;
  readonly fn: FunctionServer;
  readonly close: () => Promise<void>;
}

/** Start a gateway (`startHarness(options)`) and a function server answering with `handler` (default: 200 `{}`). */
export async function startFixture(options: DistributionOptions = {}, handler?: FunctionHandler): Promise<Fixture> {
  const h = await startHarness(options);
  const fn = await startFunctionServer(handler);
  return { h, sy: h.sy, fn, close: async () => { await h.close(); await fn.close(); } };
}
