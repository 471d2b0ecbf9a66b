/**
 * Sync path benchmark: `GET /bench` through Switchyard (sync subscription, `http.request` event, http function)
 * against the same upstream called directly.
 *
 *   npm run build && node bench/dist/src/sync.js [--duration 10] [--warmup 3] [--connections 50] [--rounds 1] [--profile] [--pin]
 *   (or DURATION=… WARMUP=… CONNECTIONS=… ROUNDS=… PROFILE=1; KEEP_PROFILE=1 keeps the .cpuprofile)
 *
 * Processes: the upstream (bench/dist/src/upstream.js) and the gateway (distribution CLI, `--dev --log-level warn`)
 * each in its own process; autocannon in this one. CPU per request = (utime + stime) of a process over the
 * measured window / responses received in it. `--profile` runs the gateway under `node --cpu-prof` and prints where
 * its time goes (the figures of a profiled run are inflated by the profiler).
 * Exit status: 0, or 1 if something failed to start or any request errored or got a non-2xx status.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Measurement, Switchyard, Upstream } from './lib.ts';
import { pinProcesses, flagSetting, fmt, loadSettings, NOISE, machine, median, numberSetting, printProfile, probe, registerSubscription, round, startSwitchyard, startUpstream, summariseCpuProfile, table, warmAndMeasure, exitCode, runMain } from './lib.ts';

const settings = loadSettings();
const rounds = Math.max(1, numberSetting('rounds', 1));
const profile = flagSetting('profile');
const pin = flagSetting('pin');
const TARGET_US = 150;

interface Row {
  readonly target: 'direct' | 'gateway';
  readonly round: number;
  readonly m: Measurement;
}

async function main(): Promise<number> {
  const info = machine();
  console.log(`Switchyard sync benchmark — ${info.date}, revision ${info.revision}, Node ${info.node}, ${info.cpus} × ${info.cpuModel}, ${info.platform}`);
  console.log(`connections ${settings.connections}, warm-up ${settings.warmup} s, measured ${settings.duration} s, rounds ${rounds}${profile ? ', gateway under --cpu-prof' : ''}\n`);

  const profileDir = profile ? mkdtempSync(path.join(os.tmpdir(), 'switchyard-prof-')) : undefined;
  let upstream: Upstream | undefined;
  let gateway: Switchyard | undefined;
  const issues: string[] = [];
  try {
    upstream = await startUpstream('sync');
    gateway = await startSwitchyard(['--dev', '--log-level', 'warn'], profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {});
    await registerSubscription(gateway.config, {
      functionId: 'bench', url: `${upstream.url}/bench`, eventType: 'http.request', type: 'sync', path: '/bench', method: 'GET',
    });
    if (pin) console.log(pinProcesses(gateway.pid, [upstream.pid]));
    const direct = `${upstream.url}/bench`;
    const through = `${gateway.events}/bench`;
    await probe(through, 200, '{"ok":true}', gateway.output());

    const rows: Row[] = [];
    for (let r = 1; r <= rounds; r++) {
      const label = (target: string): string => (rounds > 1 ? `${target} #${r}` : target);
      rows.push({ target: 'direct', round: r, m: await warmAndMeasure(label('direct'), direct, { upstream: upstream.pid }, settings, issues) });
      rows.push({ target: 'gateway', round: r, m: await warmAndMeasure(label('gateway'), through, { gateway: gateway.pid, upstream: upstream.pid }, settings, issues) });
    }

    const cell = (v: number | undefined, digits = 0): string => (v === undefined ? '–' : fmt(v, digits));
    console.log('\n' + table(
      ['run', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'gateway µs/req', 'upstream µs/req', 'autocannon µs/req', 'gateway sys %', 'gateway cores', 'gateway RSS MiB', 'other procs cores', 'responses'],
      rows.map(({ target, round: r, m }) => [
        rounds > 1 ? `${target} #${r}` : target,
        fmt(m.load.perSecond), fmt(m.load.latency.p50, 2), fmt(m.load.latency.p90, 2), fmt(m.load.latency.p99, 2),
        cell(m.cpuMicrosPerRequest['gateway']), cell(m.cpuMicrosPerRequest['upstream']), cell(m.cpuMicrosPerRequest['self']),
        cell(m.systemShare['gateway'] === undefined ? undefined : m.systemShare['gateway'] * 100), cell(m.cores['gateway'], 2), cell(m.rssMiB['gateway']), cell(m.cores['others'], 2), fmt(m.load.responses),
      ]),
    ));

    const mid = (target: Row['target'], pick: (m: Measurement) => number | undefined, digits = 1): number =>
      round(median(rows.filter((row) => row.target === target).map((row) => pick(row.m) ?? 0)), digits);
    const summary = {
      direct: {
        reqPerSec: mid('direct', (m) => m.load.perSecond, 0),
        p50Ms: mid('direct', (m) => m.load.latency.p50, 2),
        p99Ms: mid('direct', (m) => m.load.latency.p99, 2),
        upstreamCpuUsPerReq: mid('direct', (m) => m.cpuMicrosPerRequest['upstream']),
      },
      gateway: {
        reqPerSec: mid('gateway', (m) => m.load.perSecond, 0),
        p50Ms: mid('gateway', (m) => m.load.latency.p50, 2),
        p99Ms: mid('gateway', (m) => m.load.latency.p99, 2),
        gatewayCpuUsPerReq: mid('gateway', (m) => m.cpuMicrosPerRequest['gateway']),
        upstreamCpuUsPerReq: mid('gateway', (m) => m.cpuMicrosPerRequest['upstream']),
        gatewayCores: mid('gateway', (m) => m.cores['gateway'], 2),
        gatewaySystemShare: mid('gateway', (m) => m.systemShare['gateway'], 2),
      },
    };
    const us = summary.gateway.gatewayCpuUsPerReq;
    console.log(`\nGateway CPU per sync request: ${fmt(us, 1)} µs (target ≤ ${TARGET_US} µs: ${us <= TARGET_US ? 'met' : 'NOT met'})` +
      `${rounds > 1 ? ' — median of the rounds' : ''}${profile ? ' — inflated by --cpu-prof' : ''}`);
    console.log(`Latency added by the gateway: p50 ${fmt(summary.gateway.p50Ms - summary.direct.p50Ms, 2)} ms, p99 ${fmt(summary.gateway.p99Ms - summary.direct.p99Ms, 2)} ms`);
    if (rows.some(({ m }) => (m.cores['others'] ?? 0) > NOISE)) {
      console.log(`Note: other processes used more than ${NOISE} of a core during a measured run: the machine was not quiet.`);
    }
    console.log(JSON.stringify({
      bench: 'sync', ...info, ...settings, rounds, profiled: profile, targetUs: TARGET_US, ...summary,
      runs: rows.map(({ target, round: r, m }) => ({
        target, round: r, reqPerSec: round(m.load.perSecond, 0), p50Ms: round(m.load.latency.p50, 2), p99Ms: round(m.load.latency.p99, 2),
        responses: m.load.responses,
        cpuUsPerReq: Object.fromEntries(Object.entries(m.cpuMicrosPerRequest).map(([k, v]) => [k, round(v)])),
        cores: Object.fromEntries(Object.entries(m.cores).map(([k, v]) => [k, round(v, 2)])),
        rssMiB: Object.fromEntries(Object.entries(m.rssMiB).map(([k, v]) => [k, round(v, 0)])),
        systemShare: Object.fromEntries(Object.entries(m.systemShare).map(([k, v]) => [k, round(v, 2)])),
      })),
    }));
  } finally {
    await gateway?.stop();
    await upstream?.stop();
  }

  if (profileDir) {
    const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
    if (files.length === 0) issues.push(`no .cpuprofile written in ${profileDir}`);
    // One profile per thread: the main thread, and pino's transport worker (pretty logs in --dev; idle here).
    for (const f of files) {
      const summary = summariseCpuProfile(path.join(profileDir, f));
      if (summary.busyMs < 1000) console.log(`\n${f}: ${fmt(summary.busyMs)} ms busy (a helper thread), not shown`);
      else printProfile(summary, path.join(profileDir, f));
    }
    if (!flagSetting('keep-profile')) rmSync(profileDir, { recursive: true, force: true });
  }
  return exitCode(issues);
}

runMain('sync', main);
