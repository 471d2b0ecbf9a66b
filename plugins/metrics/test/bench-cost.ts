/**
 * CPU the plugin adds per sync event, in process: `prepare` + a function call through `gateway.call` (the
 * provider answers at once), with and without the plugin. Run: `node plugins/metrics/dist/test/bench-cost.js`.
 */
import { Gateway, providerPlugin } from '@switchyard/core';
import type { EventContext, Invocation } from '@switchyard/core';
import { captureLogger } from '@switchyard/core/testing';
import { MetricsPlugin } from '../src/index.ts';

const N = 200_000;
const invocation: Invocation = {
  space: 'default', mode: 'sync', specVersion: '1.0',
  function: { space: 'default', functionId: 'f1', type: 'fake', provider: {} },
  event: { specversion: '1.0', id: 'e-1', source: '/t', type: 'user.created' },
};
const ctx = { space: 'default', state: {}, event: invocation.event } as unknown as EventContext;
const reply = { status: 200, headers: {}, body: Buffer.from('{}') };

async function run(withMetrics: boolean): Promise<number> {
  const gateway = new Gateway({ logger: captureLogger() });
  gateway.use(providerPlugin({ type: 'fake', validate: () => undefined, invoke: async () => reply }));
  if (withMetrics) gateway.use(new MetricsPlugin({ defaultMetrics: false }));
  await gateway.start({ eventsPort: 0, configPort: 0 });
  const once = async () => gateway.call(await gateway.hooks.prepare.promise(invocation, ctx));
  for (let i = 0; i < 20_000; i++) await once();
  const before = process.cpuUsage();
  for (let i = 0; i < N; i++) await once();
  const used = process.cpuUsage(before);
  await gateway.close();
  return ((used.user + used.system) * 1000) / N; // ns per event
}

const rounds: [number, number][] = [];
for (let r = 0; r < 3; r++) rounds.push([await run(false), await run(true)]);
const best = (i: 0 | 1) => Math.min(...rounds.map((x) => x[i]));
console.log(`without: ${best(0).toFixed(0)} ns/event, with: ${best(1).toFixed(0)} ns/event, added: ${(best(1) - best(0)).toFixed(0)} ns/event`);
