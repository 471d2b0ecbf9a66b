/**
 * Async emit benchmark: N CloudEvents 1.0 (structured, `POST /`) to an async subscription whose http function
 * counts deliveries. Reports how fast the gateway accepts them (202s per second), how fast they reach the
 * function (all N delivered), 429s (queue full), and CPU per event.
 *
 *   npm run build && node bench/dist/src/async.js [--events 20000] [--connections 50] [--workers 100] [--backlog 100000] [--batch 1]
 *   (or EVENTS=… CONNECTIONS=… WORKERS=… BACKLOG=…; --only dev,data-dir,default-backlog picks scenarios)
 *
 * Scenarios: `dev` (in-memory queue), `data-dir` (file store + journal: every accepted delivery is fsynced before
 * the 202), `default-backlog` (in-memory with the default `--workers-backlog 200`, to show back-pressure: 429s
 * there are expected, not a failure), `nats` (cluster mode: `--nats` on a private JetStream nats-server, durable)
 * and `jetstream-direct` (the store's own ceiling: the bench process publishing to JetStream, no gateway). Every
 * event carries its send time (`data.sent`), so the function records the end-to-end delivery latency. Exit status 1 if something failed to start, a request errored, a status
 * other than 202 (or 429 in `default-backlog`) came back, or an accepted event was not delivered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startNatsServer } from '@switchyard/plugin-nats/testing';
import type { NatsServerHandle } from '@switchyard/plugin-nats/testing';
import { directJetStream } from './jetstream-direct.ts';
import type { LoadResult, Switchyard, Upstream } from './lib.ts';
import { CpuMeter, fmt, load, machine, median, NOISE, numberSetting, probe, problems, registerSubscription, round, sleep, startSwitchyard, startUpstream, stringSetting, table, waitForQuiet, exitCode, runMain } from './lib.ts';

const events = Math.max(1, numberSetting('events', 20_000));
const connections = Math.max(1, numberSetting('connections', 50));
const workers = Math.max(1, numberSetting('workers', 100));
const backlog = Math.max(1, numberSetting('backlog', 100_000));
const deliveryTimeoutMs = numberSetting('delivery-timeout', 120) * 1000;
const only = stringSetting('only')?.split(',').map((s) => s.trim()).filter(Boolean);

const EVENT_TYPE = 'bench.event';
const BODY = JSON.stringify({
  specversion: '1.0', type: EVENT_TYPE, source: '/bench', id: '[<id>]', datacontenttype: 'application/json',
  data: { user: 'bench', amount: 42, tags: ['a', 'b'], sent: 0 },
}).replace('"sent":0', '"sent":[<sent>]');
const HEADERS = { 'content-type': 'application/cloudevents+json' };
/** `--batch N`: each request is a CloudEvents 1.0 batch of N events (`application/cloudevents-batch+json`). */
const batch = Math.max(1, Math.floor(numberSetting('batch', 1)));
const LOAD_BODY = batch === 1 ? BODY : `[${Array.from({ length: batch }, () => BODY).join(',')}]`;
const LOAD_HEADERS = batch === 1 ? HEADERS : { 'content-type': 'application/cloudevents-batch+json' };

interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly args: (dataDir: string, natsUrl: string) => string[];
  /** Needs a JetStream nats-server (started for the scenario). */
  readonly nats?: boolean;
  /** Statuses that are not a failure. */
  readonly expected: (status: number) => boolean;
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'dev',
    description: `--dev, in-memory queue, --workers ${workers} --workers-backlog ${backlog}`,
    args: () => ['--dev', '--log-level', 'warn', '--workers', String(workers), '--workers-backlog', String(backlog)],
    expected: (s) => s === 202,
  },
  {
    name: 'data-dir',
    description: `--data-dir, journaled (fsync per accept), --workers ${workers} --workers-backlog ${backlog}`,
    args: (dir) => ['--data-dir', dir, '--log-level', 'warn', '--workers', String(workers), '--workers-backlog', String(backlog)],
    expected: (s) => s === 202,
  },
  {
    name: 'default-backlog',
    description: `--dev, in-memory queue, --workers ${workers}, default --workers-backlog (200): back-pressure`,
    args: () => ['--dev', '--log-level', 'warn', '--workers', String(workers)],
    expected: (s) => s === 202 || s === 429,
  },
  {
    name: 'nats',
    description: `--nats (private JetStream nats-server, file storage), --workers ${workers} --workers-backlog ${backlog}`,
    args: (_dir, natsUrl) => ['--nats', natsUrl, '--log-level', 'warn', '--workers', String(workers), '--workers-backlog', String(backlog)],
    expected: (s) => s === 202,
    nats: true,
  },
];

interface Outcome {
  readonly scenario: Scenario;
  readonly load: LoadResult;
  readonly accepted: number;
  readonly rejected429: number;
  readonly delivered: number;
  readonly acceptPerSec: number;
  readonly deliveredPerSec: number;
  readonly deliveredAllMs: number;
  /** End-to-end delivery latency (client send → function receipt), ms. */
  readonly e2eP50Ms: number;
  readonly e2eP99Ms: number;
  readonly gatewayUsPerEvent: number;
  readonly upstreamUsPerEvent: number;
  readonly gatewayCores: number;
  readonly othersCores: number;
}

/**
 * Watches the function's delivery count from `start()` on, polling every 5 ms while the events are still being
 * sent (autocannon only reports the end of a run at its next 1 s tick, so waiting for it first would round the
 * delivery time up to whole seconds).
 */
class DeliveryWatch {
  readonly #upstream: Upstream;
  readonly #baseline: number;
  readonly #started = performance.now();
  /** Set by `until()`; -1 stops the poller. */
  #target = Number.POSITIVE_INFINITY;
  /** Every poll that saw a new count: ms after start, count. The target is only known once sending ends. */
  readonly #seen: { ms: number; count: number }[] = [];
  #lastChange = performance.now();
  readonly #done: Promise<void>;

  private constructor(upstream: Upstream, baseline: number) {
    this.#upstream = upstream;
    this.#baseline = baseline;
    this.#done = this.#poll();
  }

  static async start(upstream: Upstream): Promise<DeliveryWatch> {
    return new DeliveryWatch(upstream, await upstream.count());
  }

  get #count(): number {
    return this.#seen.at(-1)?.count ?? 0;
  }

  /**
   * Wait until `target` deliveries were seen (or none came for 15 s, or `timeoutMs` passed); returns the count and
   * the time (ms after start) of the first poll that saw `target` (or of the last poll).
   */
  async until(target: number, timeoutMs: number): Promise<{ delivered: number; ms: number }> {
    this.#target = target;
    const deadline = performance.now() + timeoutMs;
    while (this.#count < target && performance.now() < deadline && performance.now() - this.#lastChange < 15_000) await sleep(5);
    this.#target = -1;
    await this.#done;
    const reached = this.#seen.find((s) => s.count >= target) ?? this.#seen.at(-1);
    return { delivered: this.#count, ms: reached?.ms ?? performance.now() - this.#started };
  }

  async #poll(): Promise<void> {
    while (this.#target >= 0 && this.#count < this.#target) {
      const count = (await this.#upstream.count()) - this.#baseline;
      const now = performance.now();
      if (count !== this.#count) {
        this.#lastChange = now;
        this.#seen.push({ ms: now - this.#started, count });
      }
      await sleep(5);
    }
  }
}

async function run(scenario: Scenario, issues: string[]): Promise<Outcome> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-'));
  let upstream: Upstream | undefined;
  let gateway: Switchyard | undefined;
  let nats: NatsServerHandle | undefined;
  try {
    if (scenario.nats === true) {
      nats = await startNatsServer();
      if (nats === undefined) throw new Error('nats-server not found ($NATS_SERVER_BIN, PATH)');
    }
    upstream = await startUpstream('count');
    const profileDir = process.env['ASYNC_PROFILE_DIR'];
    gateway = await startSwitchyard(scenario.args(dataDir, nats?.url ?? ''), profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {});
    await registerSubscription(gateway.config, { functionId: 'sink', url: `${upstream.url}/`, eventType: EVENT_TYPE, type: 'async', path: '/', method: 'POST' });
    const url = `${gateway.events}/`;
    const first = await fetch(url, { method: 'POST', headers: HEADERS, body: BODY.replace('[<id>]', 'probe').replace('[<sent>]', String(Date.now())) });
    await first.arrayBuffer();
    if (first.status !== 202) throw new Error(`POST ${url} answered ${first.status}; expected 202\n${gateway.output()}`);

    // Warm-up: a tenth of the events (at most 5000), all delivered before measuring.
    const warm = Math.max(connections, Math.min(5000, Math.floor(events / 10)));
    process.stdout.write(`${scenario.name}: warm-up ${fmt(warm)} events … `);
    const warmWatch = await DeliveryWatch.start(upstream);
    const w = await load({ url, connections, amount: Math.ceil(warm / batch), method: 'POST', headers: LOAD_HEADERS, body: LOAD_BODY, uniqueIds: true });
    await warmWatch.until((w.statusCodes['202'] ?? 0) * batch, deliveryTimeoutMs);
    await probe(`${gateway.config}/v1/status`);

    // Measured again (up to --retries, default 2) when other processes took more than NOISE of a core; the
    // quietest run is kept.
    let best: Outcome | undefined;
    const attempts = numberSetting('retries', 2);
    for (let attempt = 0; attempt <= attempts; attempt++) {
      await waitForQuiet();
      process.stdout.write(`measuring ${fmt(events)} events … `);
      await upstream.latencies();
      const meter = new CpuMeter({ gateway: gateway.pid, upstream: upstream.pid, ...(nats ? { nats: nats.pid } : {}) });
      meter.start();
      const watch = await DeliveryWatch.start(upstream);
      const result = await load({ url, connections, amount: Math.ceil(events / batch), method: 'POST', headers: LOAD_HEADERS, body: LOAD_BODY, uniqueIds: true });
      // Events, not requests: a 202 accepts every event of its batch.
      const accepted = (result.statusCodes['202'] ?? 0) * batch;
      const { delivered, ms: deliveredAllMs } = await watch.until(accepted, deliveryTimeoutMs);
      const cpu = meter.stop();
      const e2e = (await upstream.latencies()).sort((a, b) => a - b);

      issues.push(...problems(scenario.name, result, scenario.expected));
      if (delivered < accepted) issues.push(`${scenario.name}: ${accepted - delivered} of ${accepted} accepted events not delivered within the timeout`);
      const outcome: Outcome = {
        scenario,
        load: result,
        accepted,
        rejected429: result.statusCodes['429'] ?? 0,
        delivered,
        acceptPerSec: (accepted * 1000) / result.elapsedMs,
        deliveredPerSec: (delivered * 1000) / deliveredAllMs,
        deliveredAllMs,
        e2eP50Ms: median(e2e),
        e2eP99Ms: e2e[Math.min(e2e.length - 1, Math.floor(0.99 * e2e.length))] ?? 0,
        gatewayUsPerEvent: (cpu.cpu['gateway'] ?? 0) / Math.max(1, accepted),
        upstreamUsPerEvent: (cpu.cpu['upstream'] ?? 0) / Math.max(1, delivered),
        gatewayCores: (cpu.cpu['gateway'] ?? 0) / cpu.wallMicros,
        othersCores: cpu.othersMicros / cpu.wallMicros,
      };
      process.stdout.write(`${fmt(outcome.acceptPerSec)} accepted/s, ${fmt(outcome.deliveredPerSec)} delivered/s, e2e p50/p99 ${fmt(outcome.e2eP50Ms)}/${fmt(outcome.e2eP99Ms)} ms${outcome.rejected429 ? `, ${fmt(outcome.rejected429)} × 429` : ''}, other processes ${fmt(outcome.othersCores, 2)} cores`);
      if (best === undefined || outcome.othersCores < best.othersCores) best = outcome;
      if (outcome.othersCores <= NOISE) break;
      process.stdout.write(attempt < attempts ? ' — noisy, again: ' : ' — noisy, keeping the quietest run');
    }
    console.log();
    const outcome = best!;
    return outcome;
  } finally {
    await gateway?.stop();
    await upstream?.stop();
    await nats?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const info = machine();
  console.log(`Switchyard async benchmark — ${info.date}, revision ${info.revision}, Node ${info.node}, ${info.cpus} × ${info.cpuModel}, ${info.platform}`);
  console.log(`${fmt(events)} CloudEvents 1.0 (structured) per scenario, connections ${connections}\n`);
  const issues: string[] = [];
  const outcomes: Outcome[] = [];
  for (const scenario of SCENARIOS) {
    if (only !== undefined && !only.includes(scenario.name)) continue;
    try {
      outcomes.push(await run(scenario, issues));
    } catch (err) {
      console.log('failed');
      issues.push(`${scenario.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  console.log('\n' + table(
    ['scenario', 'sent', '202', '429', 'accepted/s', 'accept p50 ms', 'accept p99 ms', 'delivered', 'delivered/s', 'all delivered s', 'e2e p50 ms', 'e2e p99 ms', 'gateway µs/event', 'function µs/event', 'gateway cores', 'other procs cores'],
    outcomes.map((o) => [
      o.scenario.name, fmt(o.load.responses), fmt(o.accepted), fmt(o.rejected429), fmt(o.acceptPerSec), fmt(o.load.latency.p50, 2), fmt(o.load.latency.p99, 2),
      fmt(o.delivered), fmt(o.deliveredPerSec), fmt(o.deliveredAllMs / 1000, 2), fmt(o.e2eP50Ms), fmt(o.e2eP99Ms), fmt(o.gatewayUsPerEvent), fmt(o.upstreamUsPerEvent), fmt(o.gatewayCores, 2), fmt(o.othersCores, 2),
    ]),
  ));
  for (const o of outcomes) console.log(`  ${o.scenario.name}: ${o.scenario.description}`);
  const direct = only === undefined || only.includes('jetstream-direct') ? await jetStreamReference(issues) : [];
  console.log(JSON.stringify({
    bench: 'async', ...info, events, connections, workers, backlog,
    results: outcomes.map((o) => ({
      scenario: o.scenario.name, sent: o.load.responses, accepted: o.accepted, rejected429: o.rejected429, statusCodes: o.load.statusCodes,
      acceptedPerSec: round(o.acceptPerSec, 0), acceptP50Ms: round(o.load.latency.p50, 2), acceptP99Ms: round(o.load.latency.p99, 2),
      delivered: o.delivered, deliveredPerSec: round(o.deliveredPerSec, 0), allDeliveredS: round(o.deliveredAllMs / 1000, 2),
      e2eP50Ms: round(o.e2eP50Ms, 1), e2eP99Ms: round(o.e2eP99Ms, 1),
      gatewayCpuUsPerEvent: round(o.gatewayUsPerEvent), functionCpuUsPerEvent: round(o.upstreamUsPerEvent),
      gatewayCores: round(o.gatewayCores, 2), othersCores: round(o.othersCores, 2),
    })),
    jetstreamDirect: direct.map((d) => ({ ...d, perSec: round(d.perSec, 0), ackP50Ms: round(d.ackP50Ms, 2), ackP99Ms: round(d.ackP99Ms, 2) })),
  }));
  return exitCode(issues);
}

/** The `jetstream-direct` reference: `events` publishes with acks pipelined (500 in flight), a quarter one by one. */
async function jetStreamReference(issues: string[]): Promise<Awaited<ReturnType<typeof directJetStream>>> {
  const nats = await startNatsServer();
  if (nats === undefined) {
    issues.push('jetstream-direct: nats-server not found');
    return [];
  }
  try {
    await waitForQuiet();
    const results = await directJetStream(nats.url, events, Math.ceil(events / 4));
    console.log('\n' + table(['jetstream-direct', 'messages', 'stored/s', 'ack p50 ms', 'ack p99 ms'],
      results.map((r) => [r.mode === 'pipelined' ? 'acks pipelined (500 in flight)' : 'awaiting each ack', fmt(r.messages), fmt(r.perSec), fmt(r.ackP50Ms, 2), fmt(r.ackP99Ms, 2)])));
    return results;
  } catch (err) {
    issues.push(`jetstream-direct: ${err instanceof Error ? err.message : String(err)}`);
    return [];
  } finally {
    await nats.stop();
  }
}

runMain('async', main);
