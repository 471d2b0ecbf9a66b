/**
 * Cluster mode under faults (issue #4): gateways as `switchyard --nats` child processes on a private nats-server
 * (free port, temporary JetStream directory, stopped by pid; never the system NATS), a real function server that
 * counts unique event ids, a few hundred async events under load.
 *   1. `kill -9` of one gateway mid-load: what it had pulled but not acked is redelivered to the survivor after
 *      the consumer's ack_wait; every event that got 202 is delivered at least once.
 *   2. The NATS server goes down for a while and comes back: meanwhile new events get 503 (JSON error, Retry-After),
 *      never 202-and-lost; afterwards both gateways accept and deliver again; every 202 is delivered.
 * (A config change through A routed by B is measured in nats-cluster.test.ts.) Without nats-server the tests skip
 * loudly; under CI=true they fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNatsServer } from '@switchyard/plugin-nats/testing';
import { emit, cloudEvent, sleep, waitFor } from './helpers.ts';
import { allDelivered, emitAllAccepted, firstAccept, startLoad, statusCounts, withFaultRig } from './nats-faults-helpers.ts';
import type { Outcome } from './nats-faults-helpers.ts';

/** The consumer's ack_wait for these tests (`--nats-ack-wait`): how long a dead gateway's deliveries stay stuck. */
const ACK_WAIT_MS = 2_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('kill -9 of one gateway mid-load: every event that got 202 is delivered at least once', { timeout: 120_000 }, async (t) => {
  const nats = await startNatsServer();
  if (nats === undefined) return void t.skip('nats-server not found');
  await withFaultRig(t, nats, { delayMs: 8, ackWaitMs: ACK_WAIT_MS, eventType: 'fault.event', path: '/faults' }, async ({ fn, a, b }) => {
    const started = performance.now();
    const load = startLoad({ targets: [a.events, b.events], path: '/faults', type: 'fault.event', concurrency: 16, total: 400 });
    await waitFor(() => load.outcomes.length >= 120 && fn.counts.size >= 20, 20_000, 'load under way');
    const bPid = b.cli.child.pid!;
    const acceptedAtKill = load.accepted().length;
    process.kill(bPid, 'SIGKILL');
    const killedAt = performance.now();
    const deliveredAtKill = fn.counts.size;
    await b.cli.exited;
    await load.done;
    assert.equal(a.cli.child.exitCode, null, `gateway A died:\n${a.cli.output().slice(-3000)}`);

    const accepted = load.accepted();
    const toA = load.outcomes.filter((o) => o.target === a.events);
    const toB = load.outcomes.filter((o) => o.target === b.events);
    // A keeps accepting throughout; B answers 202 until it dies, then its connections fail (status 0).
    assert.deepEqual(toA.filter((o) => o.status !== 202).map((o) => `${o.status} ${o.response?.body ?? ''}`), []);
    assert.deepEqual(toB.filter((o) => o.status !== 202 && o.status !== 0).map((o) => `${o.status} ${o.response?.body ?? ''}`), []);
    assert.ok(accepted.length >= 200, `only ${accepted.length} events got 202`);

    // Late redeliveries (an ack that B's death swallowed) show up within one more ack_wait.
    const fullAt = await allDelivered(fn, accepted, 30_000, ACK_WAIT_MS);
    const duplicates = fn.duplicates();
    t.diagnostic(`kill -9 B: sent ${load.outcomes.length}, statuses ${JSON.stringify(statusCounts(load.outcomes))}; 202s at the kill ${acceptedAtKill}, ` +
      `delivered at the kill ${deliveredAtKill}; all ${accepted.length} 202s delivered ${(fullAt - killedAt).toFixed(0)} ms after the kill ` +
      `(${(fullAt - started).toFixed(0)} ms after the load began; ack_wait ${ACK_WAIT_MS} ms); unique ${fn.counts.size}, DUPLICATES ${duplicates}`);
    console.log(`# nats-faults kill -9: accepted ${accepted.length}, duplicates ${duplicates}, full delivery ${(fullAt - killedAt).toFixed(0)} ms after the kill`);
    assert.equal(a.cli.child.exitCode, null);
  });
});

test('NATS down and back under load: 503 (JSON, Retry-After) while down, 202 and delivery after, no 202 lost', { timeout: 120_000 }, async (t) => {
  const nats = await startNatsServer();
  if (nats === undefined) return void t.skip('nats-server not found');
  await withFaultRig(t, nats, { delayMs: 5, ackWaitMs: ACK_WAIT_MS, eventType: 'outage.event', path: '/outage' }, async ({ fn, a, b }) => {

    const load = startLoad({ targets: [a.events, b.events], path: '/outage', type: 'outage.event', concurrency: 16, pauseMs: 5 });
    await waitFor(() => fn.counts.size >= 50, 20_000, 'load under way');
    const oldPid = nats.pid;
    const DOWN_MS = 8_000; // longer than a publish's timeout (5 s), so requests made early in the outage are answered during it
    const restarting = nats.restart({ downMs: DOWN_MS });
    await waitFor(() => !alive(oldPid), 10_000, 'nats-server stopped');
    const downAt = performance.now();
    // The load's clients are stuck ~5 s in requests begun before the outage; these probes are made early in it.
    const probes: Outcome[] = [];
    const probing = Promise.all(Array.from({ length: 8 }, async (_, i) => {
      await sleep(100 + 150 * i);
      const target = i % 2 === 0 ? a.events : b.events;
      const event = cloudEvent('outage.event');
      const startedAt = performance.now();
      const response = await emit(target, '/outage', event);
      probes.push({ id: event.id, target, startedAt, endedAt: performance.now(), status: response.status, response });
    }));
    await restarting;
    const upAt = performance.now();
    await probing;

    // After the restart, both gateways accept again (within their reconnect wait) ...
    const [reA, reB] = await Promise.all([
      firstAccept(a.events, '/outage', 'outage.event', upAt, 'the restart'),
      firstAccept(b.events, '/outage', 'outage.event', upAt, 'the restart'),
    ]);
    await sleep(500);
    await load.stop();
    // ... and every new event gets 202.
    const after = await emitAllAccepted([a.events, b.events], '/outage', 'outage.event', 40);

    const outcomes = [...load.outcomes, ...probes];
    const whileDown = outcomes.filter((o) => o.startedAt > downAt && o.endedAt < upAt);
    assert.ok(probes.some((o) => whileDown.includes(o)), `no probe was answered while NATS was down: ${probes.map((o) => `${(o.startedAt - downAt).toFixed(0)}→${(o.endedAt - downAt).toFixed(0)} ms ${o.status}`).join(', ')}`);
    for (const o of whileDown) {
      assert.equal(o.status, 503, `while NATS was down: ${o.status} ${o.response?.body ?? ''}`);
      assert.ok(o.response?.headers['retry-after'], 'Retry-After on the 503');
      assert.match(o.response?.body ?? '', /could not be stored for delivery; retry later/, 'the 503 says why and what to do');
      assert.match(String(o.response.headers['content-type']), /json/);
      assert.doesNotThrow(() => o.response!.json(), `JSON body: ${o.response.body}`);
    }
    // Around the outage an answer is 202 (stored) or 503 (not accepted) — nothing else, and no gateway died.
    assert.deepEqual(outcomes.filter((o) => o.status !== 202 && o.status !== 503).map((o) => `${o.status} ${o.response?.body ?? ''}`), []);
    assert.equal(a.cli.child.exitCode, null);
    assert.equal(b.cli.child.exitCode, null);

    const accepted = [...outcomes.filter((o) => o.status === 202).map((o) => o.id), ...after];
    const started = performance.now();
    const fullMs = (await allDelivered(fn, accepted, 30_000, ACK_WAIT_MS)) - started;
    const duplicates = fn.duplicates();
    t.diagnostic(`NATS down ${(upAt - downAt).toFixed(0)} ms: sent ${outcomes.length}, statuses ${JSON.stringify(statusCounts(outcomes))}, ` +
      `${whileDown.length} made and answered while down (all 503); 503'd yet delivered ${outcomes.filter((o) => o.status === 503 && fn.counts.has(o.id)).length}; first 202 after the restart: A ${reA.toFixed(0)} ms, B ${reB.toFixed(0)} ms; ` +
      `all ${accepted.length} 202s delivered (${fullMs.toFixed(0)} ms after the load stopped); unique ${fn.counts.size}, DUPLICATES ${duplicates}`);
    console.log(`# nats-faults restart: accepted ${accepted.length}, duplicates ${duplicates}, 503 while down ${whileDown.length}`);
  });
});
