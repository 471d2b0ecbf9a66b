/**
 * Shared helpers of the cross-package suites: gateways on free ports, real HTTP function servers, the CLI as a
 * child process. Everything binds 127.0.0.1 and is stopped by the test that started it.
 */
import { spawn } from 'node:child_process';
import type { TestContext } from 'node:test';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { createGateway } from 'switchyard';
import type { DistributionOptions } from 'switchyard';
import type { Gateway, Logger } from '@switchyard/core';
import { replyJson, requestJson, startFunctionServer } from '@switchyard/core/testing';
import type { FunctionCall, FunctionServer, JsonReply } from '@switchyard/core/testing';

export interface RunningGateway {
  readonly gateway: Gateway;
  readonly events: string;
  readonly config: string;
  close(): Promise<void>;
}

export async function startGateway(options: DistributionOptions = {}): Promise<RunningGateway> {
  const gateway = createGateway(options);
  const { eventsUrl, configUrl } = await gateway.start({ eventsPort: 0, configPort: 0 });
  return { gateway, events: eventsUrl, config: configUrl, close: () => gateway.close({ timeoutMs: 5000 }) };
}

export type { FunctionCall as ReceivedCall, FunctionHandler, FunctionServer } from '@switchyard/core/testing';
export { startFunctionServer as startFunction } from '@switchyard/core/testing';

/** JSON request to the Config API; returns status and parsed body (undefined for an empty body). */
export function api<T = unknown>(base: string, method: string, path: string, body?: unknown): Promise<JsonReply<T>> {
  return requestJson<T>(base + path, { method, body });
}

/** Poll until `predicate` holds (as the original's tests do for config propagation). */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 3000, what = 'condition', intervalMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Register an http function, the event type and a subscription in one go. */
export async function subscribe(config: string, options: {
  space?: string; functionId: string; url: string; eventType: string; type: 'sync' | 'async'; path?: string; method?: string;
}): Promise<string> {
  const space = options.space ?? 'default';
  const base = `/v1/spaces/${space}`;
  const fn = await api(config, 'POST', `${base}/functions`, { functionId: options.functionId, type: 'http', provider: { url: options.url } });
  if (fn.status !== 201 && fn.status !== 409) throw new Error(`function: ${fn.status} ${fn.text}`);
  const et = await api(config, 'POST', `${base}/eventtypes`, { name: options.eventType });
  if (et.status !== 201 && et.status !== 409) throw new Error(`event type: ${et.status} ${et.text}`);
  const sub = await api<{ subscriptionId: string }>(config, 'POST', `${base}/subscriptions`, {
    type: options.type, eventType: options.eventType, functionId: options.functionId, path: options.path ?? '/', method: options.method ?? 'POST',
  });
  if (sub.status !== 201) throw new Error(`subscription: ${sub.status} ${sub.text}`);
  return sub.body.subscriptionId;
}

export const CLI = createRequire(import.meta.url).resolve('switchyard/package.json').replace(/package\.json$/, 'dist/src/cli.js');

export interface CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** Spawn `switchyard` and wait until it reports that it is running. */
export async function spawnCli(args: readonly string[], timeoutMs = 10_000): Promise<CliProcess> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: 'pipe' });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await waitFor(() => out.includes('Switchyard is running') || child.exitCode !== null, timeoutMs, 'switchyard to start');
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}; output so far:\n${out}`, { cause: err });
  }
  if (child.exitCode !== null) throw new Error(`switchyard exited with ${child.exitCode}:\n${out}`);
  return { child, output: () => out, exited };
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// ---- Added for the end-to-end suites (events API, dispatch, CORS, spaces, system events, persistence, shutdown).

/** A logger that keeps what it is given instead of printing it (tests that provoke errors stay readable). */
export interface QuietLogger extends Logger {
  readonly records: { level: string; obj: object | string; msg?: string | undefined }[];
}

export function quietLogger(): QuietLogger {
  const records: QuietLogger['records'] = [];
  const make = (): QuietLogger => {
    const write = (level: string) => (obj: object | string, msg?: string): void => {
      if (level !== 'debug') records.push({ level, obj, msg });
    };
    return { records, debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), child: () => make() };
  };
  return make();
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  json<T = unknown>(): T;
}

/**
 * One HTTP request over a fresh connection (no keep-alive), with full control of the headers: `Host` can be set,
 * and an array value sends the header once per element.
 */
export function send(url: string, options: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body);
    const headers: Record<string, string | string[] | number> = { ...options.headers };
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length' || h.toLowerCase() === 'transfer-encoding')) {
      headers['content-length'] = body.length;
    }
    const req = httpRequest(url, { method: options.method ?? 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: <T>() => JSON.parse(text) as T });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

let sequence = 0;

/** A valid CloudEvents 1.0 event (structured JSON object) with a unique id. */
export function cloudEvent(type: string, extra: Record<string, unknown> = {}): Record<string, unknown> & { id: string } {
  sequence += 1;
  return { specversion: '1.0', id: `evt-${process.pid}-${sequence}-${Date.now()}`, source: '/switchyard/tests', type, ...extra };
}

/** POST a structured CloudEvent to the Events API. */
export function emit(events: string, path: string, event: unknown, headers: Record<string, string | string[]> = {}): Promise<RawResponse> {
  return send(events + path, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json', ...headers }, body: JSON.stringify(event) });
}

/** Register just a function (201 or 409 accepted). */
export async function registerFunction(config: string, functionId: string, provider: Record<string, unknown>, space = 'default'): Promise<void> {
  const res = await api(config, 'POST', `/v1/spaces/${space}/functions`, { functionId, type: 'http', provider });
  if (res.status !== 201 && res.status !== 409) throw new Error(`function: ${res.status} ${res.text}`);
}

/** Calls a function server received whose URL path is `path` (functions registered with `${url}<path>`). */
export function callsTo(fn: FunctionServer, path: string): FunctionCall[] {
  return fn.calls.filter((c) => c.url === path);
}

/** Arguments for `spawnCli` that listen on 127.0.0.1 on two free ports, and the URLs they give. */
export async function cliPorts(): Promise<{ args: string[]; events: string; config: string }> {
  const eventsPort = await freePort();
  let configPort = await freePort();
  while (configPort === eventsPort) configPort = await freePort();
  return {
    args: ['--host', '127.0.0.1', '--events-port', String(eventsPort), '--config-port', String(configPort)],
    events: `http://127.0.0.1:${eventsPort}`,
    config: `http://127.0.0.1:${configPort}`,
  };
}

/** Signal a CLI child and wait for its exit code; SIGKILL (and null) if it has not exited within `timeoutMs`. */
export async function stopCli(cli: CliProcess, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<number | null> {
  if (cli.child.exitCode !== null || cli.child.signalCode !== null) return cli.child.exitCode;
  cli.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([cli.exited, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)))]);
  clearTimeout(timer);
  if (code === 'timeout') {
    cli.child.kill('SIGKILL');
    await cli.exited;
    return null;
  }
  return code;
}

/**
 * An in-process gateway (a quiet logger, then `options`) and a real function that answers every call 200 with `reply`
 * as JSON (for sync subscriptions: the original's HTTP response object, reference §4.5). The caller closes both.
 */
export async function startGatewayAndFunction(reply: unknown, options: DistributionOptions = {}): Promise<{ gw: RunningGateway; fn: FunctionServer }> {
  const gw = await startGateway({ logger: quietLogger(), ...options });
  const fn = await startFunctionServer(replyJson(reply));
  return { gw, fn };
}

/**
 * Run `body`, which hands every CLI it spawns to `track` (the last one tracked is the current one). If `body` throws,
 * the last 4,000 characters of the current CLI's output go to the test's diagnostics; in every case the current CLI
 * is SIGKILLed (if it still runs), and then `cleanup` runs.
 */
export async function withCli(t: TestContext, body: (track: (cli: CliProcess) => CliProcess) => Promise<void>, cleanup?: () => Promise<void>): Promise<void> {
  let current: CliProcess | undefined;
  try {
    await body((cli) => (current = cli));
  } catch (err) {
    if (current) t.diagnostic(current.output().slice(-4000));
    throw err;
  } finally {
    if (current) await stopCli(current, 'SIGKILL');
    if (cleanup) await cleanup();
  }
}
