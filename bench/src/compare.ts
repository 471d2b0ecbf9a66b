/**
 * The sync scenario of sync.ts through Switchyard and through other Node gateways/proxies, side by side: the same
 * upstream (bench/dist/src/upstream.js), `GET /bench`, autocannon in this process, each gateway in its own process.
 *
 *   npm run build && node bench/dist/src/compare.js [--duration 10] [--warmup 3] [--connections 50] [--rounds 1] [--only a,b] [--pin]
 *
 * Competitors (competitor.ts): node-undici (node:http + undici Pool: the floor), koa-undici (hand-rolled Koa +
 * undici), fast-gateway, fastify-http-proxy (fastify + @fastify/http-proxy). One whose package is not installed
 * is skipped with a message. They forward the upstream's reply as it is; Switchyard also builds the `http.request`
 * CloudEvent, POSTs it and unwraps the function's response object, so it does strictly more work per request.
 * With several rounds, each round runs every target once (interleaved, so drift hits all alike) and the summary
 * gives the median per target, and each target's CPU per request relative to koa-undici's in the same round.
 */
import type { Measurement, Upstream } from './lib.ts';
import { flagSetting, pinProcesses, fmt, loadSettings, machine, median, numberSetting, probe, registerSubscription, round, spawnListening, startSwitchyard, startUpstream, stringSetting, table, warmAndMeasure, exitCode, runMain } from './lib.ts';

const COMPETITORS = ['node-undici', 'koa-undici', 'fast-gateway', 'fastify-http-proxy'] as const;
const TARGETS = ['direct', 'switchyard', ...COMPETITORS] as const;
const REFERENCE = 'koa-undici';
const settings = loadSettings();
const rounds = Math.max(1, numberSetting('rounds', 1));
const pin = flagSetting('pin');
const only = stringSetting('only')?.split(',').map((s) => s.trim()).filter(Boolean);

interface Row {
  readonly name: string;
  readonly round: number;
  readonly m: Measurement;
}

interface Started {
  readonly url: string;
  readonly pid?: number;
  readonly output: () => string;
  readonly body?: string;
  stop(): Promise<void>;
}

/** Start one target in front of the upstream, or say which package is missing. */
async function start(name: (typeof TARGETS)[number], upstream: Upstream): Promise<Started | { missing: string }> {
  if (name === 'direct') return { url: `${upstream.url}/bench`, output: () => '', stop: async () => {} };
  if (name === 'switchyard') {
    const gateway = await startSwitchyard(['--dev', '--log-level', 'warn']);
    try {
      await registerSubscription(gateway.config, {
        functionId: 'bench', url: `${upstream.url}/bench`, eventType: 'http.request', type: 'sync', path: '/bench', method: 'GET',
      });
    } catch (err) {
      await gateway.stop();
      throw err;
    }
    return { url: `${gateway.events}/bench`, pid: gateway.pid, output: gateway.output, body: '{"ok":true}', stop: () => gateway.stop() };
  }
  const started = await spawnListening(name, 'competitor.js', [name, upstream.url]);
  if ('missing' in started) return started;
  const { child, port } = started;
  return { url: `http://127.0.0.1:${port}/bench`, pid: child.pid, output: child.output, stop: () => child.stop() };
}

async function main(): Promise<number> {
  const info = machine();
  console.log(`Switchyard vs other gateways (sync proxying) — ${info.date}, revision ${info.revision}, Node ${info.node}, ${info.cpus} × ${info.cpuModel}`);
  console.log(`connections ${settings.connections}, warm-up ${settings.warmup} s, measured ${settings.duration} s, rounds ${rounds}\n`);
  const issues: string[] = [];
  const skipped = new Map<string, string>();
  const rows: Row[] = [];
  let upstream: Upstream | undefined;
  try {
    upstream = await startUpstream('sync');
    for (let r = 1; r <= rounds; r++) {
      for (const name of TARGETS) {
        if ((only !== undefined && !only.includes(name)) || skipped.has(name)) continue;
        const label = rounds > 1 ? `${name} #${r}` : name;
        const started = await start(name, upstream);
        if ('missing' in started) {
          const message = `${name}: skipped, package ${started.missing} is not installed`;
          console.log(message);
          skipped.set(name, message);
          continue;
        }
        try {
          await probe(started.url, 200, started.body, started.output());
          if (pin && started.pid !== undefined) console.log(`${name}: ${pinProcesses(started.pid, [upstream.pid])}`);
          const pids: Record<string, number> = started.pid === undefined ? { upstream: upstream.pid } : { gateway: started.pid, upstream: upstream.pid };
          rows.push({ name, round: r, m: await warmAndMeasure(label, started.url, pids, settings, issues) });
        } finally {
          await started.stop();
        }
      }
    }
  } finally {
    await upstream?.stop();
  }

  const cell = (v: number | undefined, digits = 0): string => (v === undefined ? '–' : fmt(v, digits));
  const relative = (row: Row): number | undefined => {
    const ref = rows.find((x) => x.name === REFERENCE && x.round === row.round)?.m.cpuMicrosPerRequest['gateway'];
    const own = row.m.cpuMicrosPerRequest['gateway'];
    return ref === undefined || own === undefined ? undefined : own / ref;
  };
  console.log('\n' + table(
    ['gateway', 'req/s', 'p50 ms', 'p99 ms', 'gateway µs/req', `× ${REFERENCE}`, 'gateway sys %', 'upstream µs/req', 'gateway cores', 'other procs cores'],
    rows.map((row) => {
      const { name, round: r, m } = row;
      const sys = m.systemShare['gateway'];
      return [
        rounds > 1 ? `${name} #${r}` : name, fmt(m.load.perSecond), fmt(m.load.latency.p50, 2), fmt(m.load.latency.p99, 2),
        cell(m.cpuMicrosPerRequest['gateway']), cell(relative(row), 2), cell(sys === undefined ? undefined : sys * 100), cell(m.cpuMicrosPerRequest['upstream']),
        cell(m.cores['gateway'], 2), cell(m.cores['others'], 2),
      ];
    }),
  ));
  const names = [...new Set(rows.map((r) => r.name))];
  const summary = names.map((name) => {
    const mine = rows.filter((r) => r.name === name);
    const pick = (f: (row: Row) => number | undefined): number | null => {
      const values = mine.map(f).filter((v): v is number => v !== undefined);
      return values.length === 0 ? null : median(values);
    };
    return {
      name,
      reqPerSec: round(pick((r) => r.m.load.perSecond) ?? 0, 0),
      p50Ms: round(pick((r) => r.m.load.latency.p50) ?? 0, 2),
      p99Ms: round(pick((r) => r.m.load.latency.p99) ?? 0, 2),
      gatewayCpuUsPerReq: ((v) => (v === null ? null : round(v)))(pick((r) => r.m.cpuMicrosPerRequest['gateway'])),
      relativeToKoaUndici: ((v) => (v === null ? null : round(v, 2)))(pick(relative)),
      upstreamCpuUsPerReq: round(pick((r) => r.m.cpuMicrosPerRequest['upstream']) ?? 0),
    };
  });
  if (rounds > 1) {
    console.log(`\nMedians of ${rounds} rounds:`);
    console.log(table(['gateway', 'req/s', 'p50 ms', 'p99 ms', 'gateway µs/req', `× ${REFERENCE}`, 'upstream µs/req'],
      summary.map((s) => [s.name, fmt(s.reqPerSec), fmt(s.p50Ms, 2), fmt(s.p99Ms, 2), cell(s.gatewayCpuUsPerReq ?? undefined), cell(s.relativeToKoaUndici ?? undefined, 2), fmt(s.upstreamCpuUsPerReq)])));
  }
  for (const message of skipped.values()) console.log(message);
  console.log(JSON.stringify({
    bench: 'compare', ...info, ...settings, rounds, skipped: [...skipped.values()], summary,
    runs: rows.map(({ name, round: r, m }) => ({
      name, round: r, reqPerSec: round(m.load.perSecond, 0), p50Ms: round(m.load.latency.p50, 2), p99Ms: round(m.load.latency.p99, 2),
      gatewayCpuUsPerReq: m.cpuMicrosPerRequest['gateway'] === undefined ? null : round(m.cpuMicrosPerRequest['gateway']),
      gatewaySystemShare: m.systemShare['gateway'] === undefined ? null : round(m.systemShare['gateway'], 2),
      upstreamCpuUsPerReq: round(m.cpuMicrosPerRequest['upstream'] ?? 0), othersCores: round(m.cores['others'] ?? 0, 2),
    })),
  }));
  return exitCode(issues);
}

runMain('compare', main);
