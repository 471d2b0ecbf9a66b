/**
 * Delivery policy end to end (DESIGN §6, issue #4) in both modes: the scenarios of `delivery-policy-scenarios.ts`
 * run against embedded gateways (in process, memory store and queue) and against cluster-mode gateways on one
 * private nats-server started for this file (a gateway per test, each with its own stream, bucket and subject
 * prefix, so nothing leaks between tests). Without nats-server the NATS mode is skipped loudly (fails under CI=true).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer } from '@switchyard/plugin-nats/testing';
import { api, cloudEvent, emit, quietLogger, startFunction, startGateway, waitFor } from './helpers.ts';
import { asyncRoute, deadLetters, deliveryPolicyScenarios, reply } from './delivery-policy-scenarios.ts';
import type { GatewayMode } from './delivery-policy-scenarios.ts';

const nats = await startNatsServer({ jetstream: true });
after(() => nats?.stop());

let clusterGateways = 0;
const modes: readonly GatewayMode[] = [
  { name: 'embedded', skip: false, start: async (options) => ({ ...(await startGateway(options)), systemSubjects: 'eventgateway.>' }) },
  {
    name: 'nats',
    skip: nats === undefined ? 'nats-server not found' : false,
    start: async (options) => {
      const n = ++clusterGateways;
      const subjectPrefix = `dp${n}`;
      const gw = await startGateway({ ...options, nats: { servers: nats!.url, subjectPrefix, stream: `DP_${n}`, bucket: `dp-${n}` } });
      return { ...gw, systemSubjects: `${subjectPrefix}.>` };
    },
  },
];

for (const mode of modes) {
  if (mode.skip === false) deliveryPolicyScenarios(mode);
  else test(`delivery policy (${mode.name})`, { skip: mode.skip }, () => undefined);
}

// Embedded only: --data-dir is the embedded persistence (exclusive with --nats, whose state lives in JetStream).
test('dead letters survive a restart with a data directory, and can be redriven after it', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'switchyard-dl-'));
  let healthy = false;
  const fn = await startFunction((_c, res) => reply(res, healthy ? 200 : 500));
  try {
    let gw = await startGateway({ logger: quietLogger(), dataDir });
    await asyncRoute(gw.config, fn.url, 'durable', { maxAttempts: 2, minBackoffMs: 10, maxBackoffMs: 20 });
    assert.equal((await emit(gw.events, '/durable', cloudEvent('durable.event'))).status, 202);
    await waitFor(async () => (await deadLetters(gw.config)).length === 1, 3000, 'the dead letter');
    const [before] = await deadLetters(gw.config);
    await gw.close();

    gw = await startGateway({ logger: quietLogger(), dataDir });
    try {
      const [after] = await deadLetters(gw.config);
      assert.deepEqual(after, before);
      healthy = true;
      assert.equal((await api(gw.config, 'POST', `/v1/spaces/default/deadletters/${before!.deadLetterId}/redrive`)).status, 202);
      await waitFor(() => fn.calls.length === 3, 3000, 'the redriven delivery');
      assert.deepEqual(await deadLetters(gw.config), []);
    } finally {
      await gw.close();
    }
  } finally {
    await fn.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
