/**
 * Config changes reach routing at once with the embedded stores: the store applies a change to the routing table
 * before the Config API answers, so the first event sent after the 2xx is routed by the new config (a stronger
 * property than the "within 50 ms", and one that does not depend on timing).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, startFunction, startGateway } from './helpers.ts';
import type { RunningGateway } from './helpers.ts';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function scenario(gw: RunningGateway): Promise<void> {
  const fn = await startFunction((_call, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"statusCode":200,"body":"v1"}');
  });
  cleanups.push(() => fn.close());
  const base = '/v1/spaces/default';
  assert.equal((await api(gw.config, 'POST', `${base}/functions`, { functionId: 'f', type: 'http', provider: { url: fn.url } })).status, 201);
  assert.equal((await api(gw.config, 'POST', `${base}/eventtypes`, { name: 'http.request' })).status, 201);
  for (let round = 0; round < 20; round++) {
    const created = await api<{ subscriptionId: string }>(gw.config, 'POST', `${base}/subscriptions`, {
      type: 'sync', eventType: 'http.request', functionId: 'f', path: `/r${round}`, method: 'GET',
    });
    assert.equal(created.status, 201);
    const routed = await fetch(`${gw.events}/r${round}`);
    assert.equal(routed.status, 200, `round ${round}: routed right after 201`);
    assert.equal(await routed.text(), 'v1');
    assert.equal((await api(gw.config, 'DELETE', `${base}/subscriptions/${created.body.subscriptionId}`)).status, 204);
    const gone = await fetch(`${gw.events}/r${round}`);
    assert.equal(gone.status, 202, `round ${round}: unrouted right after 204`);
    await gone.arrayBuffer();
  }
}

describe('config propagation to routing', () => {
  it('in memory: the first request after a create or delete sees it', async () => {
    const gw = await startGateway();
    cleanups.push(() => gw.close());
    await scenario(gw);
  });

  it('file-backed (--data-dir): the same', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-prop-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const gw = await startGateway({ dataDir: dir });
    cleanups.push(() => gw.close());
    await scenario(gw);
  });
});
