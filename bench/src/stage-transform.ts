/**
 * Transform stage benchmark: the CPU `@switchyard/plugin-transform` adds per event, in process. Each scenario calls
 * one hook N times (after a warm-up) and reports process CPU time / N; "added µs" is against the same hook on a
 * gateway without the plugin.
 *
 *   prepare (per target, `hooks.prepare.promise(invocation, ctx)`)
 *     prepare-baseline     no plugin
 *     no-expressions       the plugin, a subscription without filter or transform
 *     filter               `data.amount > 100 and type = "order.created"`, true (delivered)
 *     filter-out           the same filter, false (skipped)
 *     transform            an object construction with 5 fields
 *     filter+transform     both
 *   transform (per event, `hooks.transform.promise(event, ctx)`)
 *     transform-baseline   no plugin
 *     event-type-none      the plugin, event type without a transform (the lookup only)
 *     event-type-transform the event type's transform, the same 5-field object
 *   respond (per sync reply, `hooks.respond.promise(reply, result, invocation)`, core's mapping included)
 *     respond-baseline     no plugin
 *     response-transform   `{ "statusCode": 200, "headers": headers, "body": { "id": body.result.id, "ok": true } }`
 *
 *   npm run build && node bench/dist/src/stage-transform.js [--iterations 200000] [--warmup 20000]
 */
import os from 'node:os';
import { Gateway } from '@switchyard/core';
import type { CloudEvent, EventContext, FunctionConfig, Invocation, InvokeResult, Logger, Subscription } from '@switchyard/core';
import { TransformPlugin } from '@switchyard/plugin-transform';

function setting(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? process.env[name.toUpperCase()] : process.argv[at + 1];
  const parsed = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(parsed) && parsed > 0 ? Math.floor(parsed) : fallback;
}

const iterations = Math.max(20_000, setting('iterations', 200_000));
const warmup = setting('warmup', 20_000);

const FILTER = 'data.amount > 100 and type = "order.created"';
const TRANSFORM = '{ "orderId": id, "amount": data.amount, "currency": data.currency, "customer": data.customer.name, "items": $count(data.items) }';
const RESPONSE = '{ "statusCode": 200, "headers": headers, "body": { "id": body.result.id, "ok": true } }';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const FN: FunctionConfig = { space: 'default', functionId: 'fn', type: 'http', provider: { url: 'http://127.0.0.1:1/' } };
const REPLY: InvokeResult = {
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ result: { id: 7, name: 'x' } }) })),
};

function event(amount: number): CloudEvent {
  return {
    specversion: '1.0', id: 'bench', source: '/bench', type: 'order.created', datacontenttype: 'application/json',
    data: { amount, currency: 'EUR', customer: { name: 'Ada', email: 'ada@example.com' }, items: [{ sku: 'a', price: 2 }, { sku: 'b', price: 3 }] },
  };
}

function context(ev: CloudEvent): EventContext {
  return {
    request: { method: 'POST', path: '/', decodedPath: '/', host: '127.0.0.1', headers: {}, query: {}, body: Buffer.alloc(0) },
    event: ev, specVersion: '1.0', space: 'default', spaceScoped: false, state: {}, receivedAt: Date.now(),
  };
}

interface Scenario {
  readonly name: string;
  readonly hook: 'prepare' | 'transform' | 'respond';
  readonly plugin: boolean;
  readonly fields?: Partial<Pick<Subscription, 'filter' | 'transform' | 'responseTransform'>>;
  readonly eventTypeTransform?: string;
  readonly amount?: number;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'prepare-baseline', hook: 'prepare', plugin: false },
  { name: 'no-expressions', hook: 'prepare', plugin: true },
  { name: 'filter', hook: 'prepare', plugin: true, fields: { filter: FILTER } },
  { name: 'filter-out', hook: 'prepare', plugin: true, fields: { filter: FILTER }, amount: 50 },
  { name: 'transform', hook: 'prepare', plugin: true, fields: { transform: TRANSFORM } },
  { name: 'filter+transform', hook: 'prepare', plugin: true, fields: { filter: FILTER, transform: TRANSFORM } },
  { name: 'transform-baseline', hook: 'transform', plugin: false },
  { name: 'event-type-none', hook: 'transform', plugin: true },
  { name: 'event-type-transform', hook: 'transform', plugin: true, eventTypeTransform: TRANSFORM },
  { name: 'respond-baseline', hook: 'respond', plugin: false },
  { name: 'response-transform', hook: 'respond', plugin: true, fields: { responseTransform: RESPONSE } },
];

async function run(scenario: Scenario): Promise<{ usPerEvent: number; skipped: number }> {
  const gateway = new Gateway({ logger: silent, plugins: scenario.plugin ? [new TransformPlugin()] : [] });
  const eventType = { space: 'default', name: 'order.created', ...(scenario.eventTypeTransform === undefined ? {} : { transform: scenario.eventTypeTransform }) };
  gateway.table.apply({ op: 'put', entry: { kind: 'eventtypes', space: 'default', id: 'order.created', value: eventType, revision: 1 } });
  const subscription: Subscription = {
    space: 'default', subscriptionId: 'sub', type: scenario.hook === 'respond' ? 'sync' : 'async', eventType: 'order.created', functionId: 'fn',
    path: '/', method: 'POST', ...scenario.fields,
  };
  const ev = event(scenario.amount ?? 150);
  const ctx = context(ev);
  let skipped = 0;
  const invocation = (): Invocation => ({ space: 'default', function: FN, subscription, mode: subscription.type, event: ev, specVersion: '1.0' });
  const once = async (): Promise<void> => {
    if (scenario.hook === 'prepare') {
      if ((await gateway.hooks.prepare.promise(invocation(), ctx)).skip !== undefined) skipped++;
    } else if (scenario.hook === 'transform') {
      await gateway.hooks.transform.promise(ev, ctx);
    } else {
      await gateway.hooks.respond.promise({ status: 200, headers: {}, body: '' }, REPLY, invocation());
    }
  };
  for (let i = 0; i < warmup; i++) await once();
  skipped = 0;
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await once();
  const used = process.cpuUsage(start);
  await gateway.close();
  return { usPerEvent: (used.user + used.system) / iterations, skipped };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

async function main(): Promise<void> {
  console.log(`Transform stage CPU per event — ${new Date().toISOString()}, Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}`);
  console.log(`${iterations} hook calls per scenario after ${warmup} warm-up calls\n`);
  const results: Record<string, { hook: string; usPerEvent: number; addedUs: number; skipped: number }> = {};
  const baselines: Record<string, number> = {};
  for (const scenario of SCENARIOS) {
    const { usPerEvent, skipped } = await run(scenario);
    if (!scenario.plugin) baselines[scenario.hook] = usPerEvent;
    results[scenario.name] = { hook: scenario.hook, usPerEvent: round(usPerEvent), addedUs: round(usPerEvent - (baselines[scenario.hook] ?? 0)), skipped };
  }
  const rows = Object.entries(results).map(([name, r]) => [name, r.hook, r.usPerEvent.toFixed(2), r.addedUs.toFixed(2), String(r.skipped)]);
  const header = ['scenario', 'hook', 'CPU µs/event', 'added µs', 'skipped'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i <= 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(`\n${JSON.stringify({ bench: 'stage-transform', node: process.version, iterations, results })}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
