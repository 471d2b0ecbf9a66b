/**
 * Shared pieces of the cluster-mode fault suites (`nats-faults*.test.ts`): gateways as CLI child processes on a
 * private NATS, a slowish function server counting unique event ids, and a load generator that records which
 * events got 202.
 */
import { spawn } from 'node:child_process';
import type { CloudEvent } from '@switchyard/core';
import { api, CLI, cliPorts, cloudEvent, emit, startFunction, stopCli, waitFor } from './helpers.ts';
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
