/**
 * Validation stage benchmark: the CPU `@switchyard/plugin-validation` adds per event, in process. It calls
 * `gateway.hooks.validation.promise(ctx)` N times (after a warm-up) and reports process CPU time / N for:
 *
 *   baseline         the hook with no tap (a gateway without the plugin)
 *   no-schema        the plugin, event type registered without a schema (the lookup only)
 *   schema-valid     the plugin, a 10-field draft-07 schema (formats: uuid, email, date-time, uri), valid data
 *   schema-2020      the same schema as 2020-12, valid data
 *   formats-off      the same schema, plugin with `formats: false`, valid data
 *   schema-invalid   the 10-field schema, data with 3 violations (the 400 is built and caught)
 *
 *   npm run build && node bench/dist/src/stage-validation.js [--iterations 200000] [--warmup 20000]
 */
import os from 'node:os';
import { Gateway } from '@switchyard/core';
import type { EventContext, GatewayPlugin, Logger } from '@switchyard/core';
import { DRAFT_2020_12, ValidationPlugin } from '@switchyard/plugin-validation';

function setting(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? process.env[name.toUpperCase()] : process.argv[at + 1];
  const parsed = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(parsed) && parsed > 0 ? Math.floor(parsed) : fallback;
}

const iterations = Math.max(20_000, setting('iterations', 200_000));
const warmup = setting('warmup', 20_000);

const SCHEMA = {
  type: 'object',
  required: ['id', 'email', 'name', 'age', 'createdAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', format: 'uuid' },
    email: { type: 'string', format: 'email' },
    name: { type: 'string', minLength: 1, maxLength: 100 },
    age: { type: 'integer', minimum: 0, maximum: 150 },
    createdAt: { type: 'string', format: 'date-time' },
    country: { type: 'string', enum: ['DE', 'FR', 'GB', 'US', 'JP'] },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 10 },
    score: { type: 'number' },
    active: { type: 'boolean' },
    website: { type: 'string', format: 'uri' },
  },
};
const VALID = {
  id: '6ba7b810-9dad-11d1-80b4-00c04fd430c8', email: 'ada@example.com', name: 'Ada Lovelace', age: 36,
  createdAt: '2024-05-01T12:00:00Z', country: 'GB', tags: ['math', 'engines'], score: 9.5, active: true, website: 'https://example.com/ada',
};
const INVALID = { ...VALID, email: 'nope', age: -1, extra: true };

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

interface Scenario {
  readonly name: string;
  readonly plugins: GatewayPlugin[];
  readonly schema?: unknown;
  readonly data: unknown;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'baseline', plugins: [], data: VALID },
  { name: 'no-schema', plugins: [new ValidationPlugin()], data: VALID },
  { name: 'schema-valid', plugins: [new ValidationPlugin()], schema: SCHEMA, data: VALID },
  { name: 'schema-2020', plugins: [new ValidationPlugin()], schema: { $schema: DRAFT_2020_12, ...SCHEMA }, data: VALID },
  { name: 'formats-off', plugins: [new ValidationPlugin({ formats: false })], schema: SCHEMA, data: VALID },
  { name: 'schema-invalid', plugins: [new ValidationPlugin()], schema: SCHEMA, data: INVALID },
];

function context(data: unknown): EventContext {
  return {
    request: { method: 'POST', path: '/', decodedPath: '/', host: '127.0.0.1', headers: {}, query: {}, body: Buffer.alloc(0) },
    event: { specversion: '1.0', id: 'bench', source: '/bench', type: 'user.created', datacontenttype: 'application/json', data },
    specVersion: '1.0', space: 'default', spaceScoped: false, state: {}, receivedAt: Date.now(),
  };
}

async function run(scenario: Scenario): Promise<{ usPerEvent: number; rejected: number }> {
  const gateway = new Gateway({ logger: silent, plugins: scenario.plugins });
  const value = { space: 'default', name: 'user.created', ...(scenario.schema === undefined ? {} : { schema: scenario.schema }) };
  gateway.table.apply({ op: 'put', entry: { kind: 'eventtypes', space: 'default', id: 'user.created', value, revision: 1 } });
  const ctx = context(scenario.data);
  let rejected = 0;
  const once = async (): Promise<void> => {
    try {
      await gateway.hooks.validation.promise(ctx);
    } catch {
      rejected++;
    }
  };
  for (let i = 0; i < warmup; i++) await once();
  rejected = 0;
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await once();
  const used = process.cpuUsage(start);
  await gateway.close();
  return { usPerEvent: (used.user + used.system) / iterations, rejected };
}

async function main(): Promise<void> {
  console.log(`Validation stage CPU per event — ${new Date().toISOString()}, Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}`);
  console.log(`${iterations} calls of hooks.validation per scenario after ${warmup} warm-up calls\n`);
  const results: Record<string, { usPerEvent: number; addedUs: number; rejected: number }> = {};
  let baseline = 0;
  for (const scenario of SCENARIOS) {
    const { usPerEvent, rejected } = await run(scenario);
    if (scenario.name === 'baseline') baseline = usPerEvent;
    results[scenario.name] = { usPerEvent: round(usPerEvent), addedUs: round(usPerEvent - baseline), rejected };
  }
  const rows = Object.entries(results).map(([name, r]) => [name, r.usPerEvent.toFixed(2), r.addedUs.toFixed(2), String(r.rejected)]);
  const header = ['scenario', 'CPU µs/event', 'added µs', 'rejected'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(`\n${JSON.stringify({ bench: 'stage-validation', node: process.version, iterations, results })}`);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
