/**
 * The direct-JetStream reference of the `nats` async scenario: what the store itself takes on this machine, from
 * the bench process, without a gateway. Publishes `events` messages of the size of a delivery to a file-storage
 * stream of its own (with `Nats-Msg-Id`, as the gateway does) twice: with acks pipelined (`window` publishes in
 * flight) and awaiting each ack before the next publish.
 */
import { NatsLink } from '@switchyard/plugin-nats';

export interface DirectResult {
  readonly mode: 'pipelined' | 'sequential';
  readonly messages: number;
  readonly perSec: number;
  readonly ackP50Ms: number;
  readonly ackP99Ms: number;
}

const STREAM = 'BENCH_DIRECT';
const SUBJECT = 'bench.direct';

function percentile(sorted: Float64Array, q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Publish `pipelined` messages with up to `window` in flight, then `sequential` ones one ack at a time. */
export async function directJetStream(url: string, pipelined: number, sequential: number, window = 500, bytes = 400): Promise<DirectResult[]> {
  const link = new NatsLink({ servers: url, name: 'switchyard-bench' });
  const { js, jsm } = await link.acquire();
  try {
    await jsm.streams.add({ name: STREAM, subjects: [`${SUBJECT}.>`] });
    const payload = 'x'.repeat(bytes);
    let id = 0;
    const one = async (times: Float64Array, i: number): Promise<void> => {
      const t0 = performance.now();
      await js.publish(`${SUBJECT}.a`, payload, { msgID: `m-${++id}`, expect: { streamName: STREAM } });
      times[i] = performance.now() - t0;
    };
    const results: DirectResult[] = [];
    for (const [mode, n] of [['pipelined', pipelined], ['sequential', sequential]] as const) {
      if (n <= 0) continue;
      const times = new Float64Array(n);
      const started = performance.now();
      if (mode === 'pipelined') {
        let next = 0;
        const lane = async (): Promise<void> => {
          while (next < n) await one(times, next++);
        };
        await Promise.all(Array.from({ length: Math.min(window, n) }, lane));
      } else {
        for (let i = 0; i < n; i++) await one(times, i);
      }
      const elapsed = performance.now() - started;
      times.sort();
      results.push({ mode, messages: n, perSec: (n * 1000) / elapsed, ackP50Ms: percentile(times, 0.5), ackP99Ms: percentile(times, 0.99) });
    }
    await jsm.streams.delete(STREAM);
    return results;
  } finally {
    await link.release();
  }
}
