/**
 * Shared pieces of the cluster-mode fault suites (`nats-faults*.test.ts`): gateways as CLI child processes on a
 * private NATS, a slowish function server counting unique event ids, and a load generator that records which
 * events got 202.
 */
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { CloudEvent } from '@switchyard/core';
import { api, CLI, cliPorts, cloudEvent, emit, sleep, startFunction, stopCli, subscribe, waitFor } from './helpers.ts';
import type { CliProcess, FunctionServer, RawResponse } from './helpers.ts';

export interface ClusterGateway {
  readonly cli: CliProcess;
  readonly events: string;
  readonly config: string;
}

/**
 * `switchyard --nats <url> --log-level warn` on free ports (8 workers, a short ack wait so redeliveries come
 * quickly). At `warn` the CLI does not print "Switchyard is running", so readiness is the Config API answering.
 */
export async function natsGateway(url: string, ackWaitMs: number, extra: readonly string[] = []): Promise<ClusterGateway> {
  const ports = await cliPorts();
  const args = ['--nats', url, ...ports.args, '--log-level', 'warn', '--workers', '8', '--workers-backlog', '2000', '--nats-ack-wait', String(ackWaitMs), ...extra];
  const child = spawn(process.execPath, [CLI, ...args], { stdio: 'pipe' });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const cli: CliProcess = { child, output: () => out, exited };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) return true;
      return fetch(`${ports.config}/v1/status`).then(async (res) => (await res.arrayBuffer(), true), () => false);
    }, 20_000, 'switchyard --nats to answer');
  } catch (err) {
    await stopCli(cli, 'SIGKILL');
    throw new Error(`${(err as Error).message}; output so far:\n${out}`, { cause: err });
  }
  if (child.exitCode !== null) throw new Error(`switchyard exited with ${child.exitCode}:\n${out}`);
  return { cli, events: ports.events, config: ports.config };
}

/** SIGKILL every gateway still running (by pid, through its ChildProcess). */
export async function killAll(gateways: readonly (ClusterGateway | undefined)[]): Promise<void> {
  await Promise.all(gateways.map(async (g) => (g === undefined ? undefined : stopCli(g.cli, 'SIGKILL'))));
}

/** Wait until the gateway's Config API lists at least one subscription (its KV watch caught up). */
export async function knowsSubscription(config: string, timeoutMs = 5_000): Promise<void> {
  await waitFor(async () => (await api<{ subscriptions: unknown[] }>(config, 'GET', '/v1/spaces/default/subscriptions')).body.subscriptions.length > 0,
    timeoutMs, `${config} knows the subscription`);
}

export interface CountingFunction {
  readonly server: FunctionServer;
  /** Deliveries per event id. */
  readonly counts: Map<string, number>;
  /** Deliveries beyond the first, over all ids. */
  duplicates(): number;
  /** Ids in `ids` not delivered yet. */
  missing(ids: Iterable<string>): string[];
  close(): Promise<void>;
}

/**
 * A real HTTP function that takes `delayMs` per call (so deliveries are in flight) and counts event ids of calls
 * whose caller was still connected when it answered.
 */
export async function countingFunction(delayMs: number): Promise<CountingFunction> {
  const counts = new Map<string, number>();
  const server = await startFunction(async (call, res) => {
    await new Promise((r) => setTimeout(r, delayMs));
    // A call whose caller died meanwhile (the gateway was killed: its socket ended, and the server ended or destroyed
    // it) did not succeed for anyone: not a delivery.
    if (res.socket === null || res.socket.destroyed || !res.socket.writable) return;
    const id = call.json<CloudEvent>().id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    res.setHeader('content-type', 'application/json');
    res.end('{}');
  });
  return {
    server,
    counts,
    duplicates: () => [...counts.values()].reduce((n, c) => n + c - 1, 0),
    missing: (ids) => [...ids].filter((id) => !counts.has(id)),
    close: () => server.close(),
  };
}

export interface Outcome {
  readonly id: string;
  readonly target: string;
  readonly startedAt: number;
  readonly endedAt: number;
  /** HTTP status, or 0 when the connection failed (the gateway is gone). */
  readonly status: number;
  readonly response?: RawResponse;
}

export interface Load {
  readonly outcomes: Outcome[];
  /** Ids of the events that got 202. */
  accepted(): string[];
  /** Stop issuing new requests and wait for those in flight. */
  stop(): Promise<void>;
  readonly done: Promise<void>;
}

/**
 * `concurrency` clients POSTing `type` events to `targets` in turn (round robin by request), until `total` were
 * sent (or forever, until `stop`, when `total` is undefined). Every outcome is recorded with its times.
 */
export function startLoad(options: { targets: readonly string[]; path: string; type: string; concurrency: number; total?: number; pauseMs?: number }): Load {
  const outcomes: Outcome[] = [];
  let sent = 0;
  let stopped = false;
  const client = async (): Promise<void> => {
    while (!stopped && (options.total === undefined || sent < options.total)) {
      const target = options.targets[sent++ % options.targets.length]!;
      const event = cloudEvent(options.type);
      const startedAt = performance.now();
      try {
        const response = await emit(target, options.path, event);
        outcomes.push({ id: event.id, target, startedAt, endedAt: performance.now(), status: response.status, response });
      } catch {
        outcomes.push({ id: event.id, target, startedAt, endedAt: performance.now(), status: 0 });
      }
      if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  };
  const done = Promise.all(Array.from({ length: options.concurrency }, client)).then(() => undefined);
  return {
    outcomes,
    accepted: () => outcomes.filter((o) => o.status === 202).map((o) => o.id),
    async stop() {
      stopped = true;
      await done;
    },
    done,
  };
}

/** `{ 202: n, 503: m, … }` of a list of outcomes, for diagnostics. */
export function statusCounts(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[String(o.status)] = (counts[String(o.status)] ?? 0) + 1;
  return counts;
}

/** Two gateways on one NATS, sharing an async subscription to a counting function. */
export interface FaultRig {
  readonly fn: CountingFunction;
  readonly a: ClusterGateway;
  readonly b: ClusterGateway;
}

/**
 * Start a counting function (`delayMs` per call) and gateways A and B on `nats.url` (`natsGateway(url, ackWaitMs,
 * extra)`), subscribe the function through A (async `eventType` on `path`, function id `counter`), wait until B knows
 * the subscription, then run `body`. If anything throws, the last output of each gateway started goes to the test's
 * diagnostics; in every case the gateways are SIGKILLed, the function closed and `nats.stop()` awaited.
 */
export async function withFaultRig(
  t: TestContext,
  nats: { readonly url: string; stop(): Promise<void> },
  options: { delayMs: number; ackWaitMs: number; extra?: readonly string[]; eventType: string; path: string },
  body: (rig: FaultRig) => Promise<void>,
): Promise<void> {
  let fn: CountingFunction | undefined;
  let a: ClusterGateway | undefined;
  let b: ClusterGateway | undefined;
  try {
    fn = await countingFunction(options.delayMs);
    a = await natsGateway(nats.url, options.ackWaitMs, options.extra);
    b = await natsGateway(nats.url, options.ackWaitMs, options.extra);
    await subscribe(a.config, { functionId: 'counter', url: fn.server.url, eventType: options.eventType, type: 'async', path: options.path });
    await knowsSubscription(b.config);
    await body({ fn, a, b });
  } catch (err) {
    if (a) t.diagnostic(`A:\n${a.cli.output().slice(-3000)}`);
    if (b) t.diagnostic(`B:\n${b.cli.output().slice(-3000)}`);
    throw err;
  } finally {
    await killAll([a, b]);
    await fn?.close();
    await nats.stop();
  }
}

/**
 * Emit `type` events to `events` + `path` until one gets 202 (20 s at most, failing with "`events` accepts after
 * `after`"); returns the time from `since` to the start of that accepted request.
 */
export async function firstAccept(events: string, path: string, type: string, since: number, after: string): Promise<number> {
  let at = 0;
  await waitFor(async () => {
    at = performance.now();
    return (await emit(events, path, cloudEvent(type))).status === 202;
  }, 20_000, `${events} accepts after ${after}`);
  return at - since;
}

/** Emit `count` `type` events one by one, alternating between `targets[0]` and `targets[1]`; each must get 202. Returns their ids. */
export async function emitAllAccepted(targets: readonly [string, string], path: string, type: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const event = cloudEvent(type);
    const res = await emit(i % 2 === 0 ? targets[0] : targets[1], path, event);
    assert.equal(res.status, 202, res.body);
    ids.push(event.id);
  }
  return ids;
}

/**
 * Wait (up to `timeoutMs`) until `fn` has received every id in `accepted`, then one more ack wait and a second so
 * late redeliveries (an ack a dead node swallowed) are counted too. Returns `performance.now()` at full delivery.
 */
export async function allDelivered(fn: CountingFunction, accepted: readonly string[], timeoutMs: number, ackWaitMs: number): Promise<number> {
  await waitFor(() => fn.missing(accepted).length === 0, timeoutMs, "every 202'd event delivered");
  const at = performance.now();
  await sleep(ackWaitMs + 1_000);
  return at;
}
