/**
 * Cluster mode on a 3-node NATS cluster (issue #4): three private nats-server processes routed to each other,
 * JetStream stream and KV bucket with 3 replicas (`--nats-replicas 3`), two gateways given all three URLs. Under
 * async load one node is killed (SIGKILL): the stream leader (the gateways answer 503 until a new leader is
 * elected, then 202 again) or a follower (they keep accepting: at most one failed request per client, those in
 * flight on the dead connection). Only 202 or 503, and every event that got 202 is delivered at least once. Without nats-server
 * the test skips loudly; under CI=true it fails.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { startNatsCluster } from '@switchyard/plugin-nats/testing';
import { sleep, waitFor } from './helpers.ts';
import { allDelivered, emitAllAccepted, firstAccept, startLoad, statusCounts, withFaultRig } from './nats-faults-helpers.ts';

const ACK_WAIT_MS = 2_000;

/** Server names leading the delivery stream, its consumer and the config bucket's stream. */
type Leaders = { stream?: string; consumer?: string; kv?: string };

/**
 * Who leads the stream, the consumer and the config bucket. JetStream management requests can be slow on a loaded
 * 2-core machine (and right after a node dies), so each try gets 10 s and there are a few tries.
 */
async function leaders(url: string): Promise<Leaders> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await leadersOnce(url);
    } catch (err) {
      if (attempt >= 4) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function leadersOnce(url: string): Promise<Leaders> {
  const nc = await connect({ servers: url.split(','), timeout: 10_000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 10_000 });
    const stream = (await jsm.streams.info('SWITCHYARD_DELIVERIES')).cluster?.leader;
    const consumer = (await jsm.consumers.info('SWITCHYARD_DELIVERIES', 'switchyard')).cluster?.leader;
    const kv = (await jsm.streams.info('KV_switchyard-config')).cluster?.leader;
    return { ...(stream ? { stream } : {}), ...(consumer ? { consumer } : {}), ...(kv ? { kv } : {}) };
  } finally {
    await nc.close();
  }
}

type Victim = 'stream leader' | 'follower';

async function killNodeUnderLoad(t: TestContext, kind: Victim): Promise<void> {
  const cluster = await startNatsCluster(3);
  if (cluster === undefined) return void t.skip('nats-server not found');
  const concurrency = 16;
  await withFaultRig(t, cluster, { delayMs: 5, ackWaitMs: ACK_WAIT_MS, extra: ['--nats-replicas', '3'], eventType: 'node.event', path: '/node' }, async ({ fn, a, b }) => {
    const load = startLoad({ targets: [a.events, b.events], path: '/node', type: 'node.event', concurrency, pauseMs: 5 });
    await waitFor(() => fn.counts.size >= 100, 20_000, 'load under way');
    const before = await leaders(cluster.url);
    // A follower: the node leading the fewest of stream, consumer and bucket (never the stream or consumer leader).
    const led = (name: string): number => [before.stream, before.consumer, before.kv].filter((l) => l === name).length;
    const victim = kind === 'stream leader'
      ? cluster.nodes.find((n) => n.name === before.stream)
      : cluster.nodes.filter((n) => n.name !== before.stream && n.name !== before.consumer).sort((x, y) => led(x.name) - led(y.name))[0];
    assert.ok(victim, `no ${kind} among ${cluster.nodes.map((n) => n.name).join(', ')} (leaders ${JSON.stringify(before)})`);
    await victim.kill();
    const killedAt = performance.now();

    // Keep the load on for a while, then both gateways must accept again (a new leader is elected meanwhile).
    await sleep(3_000);
    const [reA, reB] = await Promise.all([
      firstAccept(a.events, '/node', 'node.event', killedAt, 'the node died'),
      firstAccept(b.events, '/node', 'node.event', killedAt, 'the node died'),
    ]);
    await load.stop();
    const after = await emitAllAccepted([a.events, b.events], '/node', 'node.event', 40);

    const outcomes = load.outcomes;
    assert.deepEqual(outcomes.filter((o) => o.status !== 202 && o.status !== 503).map((o) => `${o.status} ${o.response?.body ?? ''}`), []);
    for (const o of outcomes.filter((x) => x.status === 503)) assert.ok(o.response?.headers['retry-after'], 'Retry-After on a 503');
    assert.equal(a.cli.child.exitCode, null);
    assert.equal(b.cli.child.exitCode, null);
    const afterKill = outcomes.filter((o) => o.endedAt > killedAt);
    if (kind === 'follower') {
      // The stream and consumer keep their leaders: only requests whose publish was in flight on a connection to the
      // dead node can fail (at most one per client); everything sent after is buffered, flushed on reconnect, 202.
      const failed = afterKill.filter((o) => o.status !== 202).length;
      assert.ok(failed <= concurrency, `${failed} requests failed after a follower died`);
    }
    const accepted = [...load.accepted(), ...after];
    const waitStart = performance.now();
    const fullMs = (await allDelivered(fn, accepted, 40_000, ACK_WAIT_MS)) - waitStart;
    const refused = outcomes.filter((o) => o.status === 503);
    // For the diagnostic line only: a lookup that fails right after the kill must not fail the test.
    const now = await leaders(cluster.nodes.filter((n) => n !== victim).map((n) => n.url).join(',')).catch((err: unknown) => ({ error: String(err) }));
    t.diagnostic(`killed ${kind} ${victim.name} (leaders before ${JSON.stringify(before)}, after ${JSON.stringify(now)}): sent ${outcomes.length}, statuses ${JSON.stringify(statusCounts(outcomes))} ` +
      `(after the kill: ${JSON.stringify(statusCounts(afterKill))}); 503'd yet delivered ${refused.filter((o) => fn.counts.has(o.id)).length}; ` +
      `first 202 started after the kill: A ${reA.toFixed(0)} ms, B ${reB.toFixed(0)} ms; all ${accepted.length} 202s delivered ` +
      `(${fullMs.toFixed(0)} ms after the load stopped); unique ${fn.counts.size}, DUPLICATES ${fn.duplicates()}`);
    console.log(`# nats-faults 3-node, ${kind} killed: accepted ${accepted.length}, 503 ${refused.length}, duplicates ${fn.duplicates()}`);
  });
}

test('3-node NATS cluster, R3: killing the stream leader under load loses nothing that got 202', { timeout: 150_000 }, (t) => killNodeUnderLoad(t, 'stream leader'));

test('3-node NATS cluster, R3: killing a follower under load: the gateways keep accepting, nothing 202\'d is lost', { timeout: 150_000 }, (t) => killNodeUnderLoad(t, 'follower'));
