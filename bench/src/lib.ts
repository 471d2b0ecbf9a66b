/**
 * What the benchmark scripts share: settings, child processes (the upstream function, the `switchyard` CLI,
 * competitor gateways), free ports, CPU sampling from /proc, Config API calls, autocannon runs, tables and
 * `.cpuprofile` summaries. Everything binds 127.0.0.1; every child is stopped by the script that started it
 * (and killed on exit if the script dies first).
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------------------------
// Settings

/**
 * A numeric setting: `--name=value` or `--name value` on the command line, else the environment variable
 * `NAME` (dashes become underscores), else `fallback`.
 */
export function numberSetting(name: string, fallback: number): number {
  const raw = stringSetting(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}: not a non-negative number: ${raw}`);
  return value;
}

export function stringSetting(name: string): string | undefined {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === `--${name}`) return argv[i + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return process.env[name.toUpperCase().replaceAll('-', '_')];
}

export function flagSetting(name: string): boolean {
  const raw = stringSetting(name);
  if (raw === undefined) return process.argv.includes(`--${name}`);
  return raw !== '' && raw !== '0' && raw !== 'false';
}

/** Share of a core other processes may use during a measured run before it counts as noisy. */
export const NOISE = 0.15;

/** Where and on what the figures were taken. */
export function machine(): { node: string; cpus: number; cpuModel: string; platform: string; date: string; revision: string } {
  const cpus = os.cpus();
  return {
    revision: revision(),
    node: process.version,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
}

/** The measured code: `git describe --always --dirty` of the checkout this file is in. */
function revision(): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { cwd: fileURLToPath(new URL('.', import.meta.url)), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Processes

export const CLI = require.resolve('switchyard/package.json').replace(/package\.json$/, 'dist/src/cli.js');
const HERE = fileURLToPath(new URL('.', import.meta.url));

/** Scripts of this package, compiled next to this file. */
export function benchScript(name: string): string {
  return HERE + name;
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  readonly output: () => string;
  /** SIGTERM, wait for the exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
}

export interface SpawnOptions {
  /** Extra flags for node itself (e.g. `--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
  readonly ipc?: boolean;
  readonly cwd?: string;
}

/** Spawn `node [nodeArgs] script args`; stdout and stderr are collected (the first MB). */
export function spawnNode(name: string, script: string, args: readonly string[], options: SpawnOptions = {}): Child {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  if (child.pid === undefined) throw new Error(`${name}: could not spawn ${script}`);
  children.add(child);
  let out = '';
  const append = (d: Buffer): void => {
    if (out.length < 1_000_000) out += d.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    children.delete(child);
    resolve();
  }));
  return {
    name,
    pid: child.pid,
    child,
    output: () => out,
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

function exitedEarly(child: Child): boolean {
  return child.child.exitCode !== null || child.child.signalCode !== null;
}

export interface Upstream extends Child {
  readonly url: string;
  /** Requests it has answered so far. */
  count(): Promise<number>;
  /** End-to-end latencies (ms) of the deliveries that carried `"sent":<ms>`, since the last call. */
  latencies(): Promise<number[]>;
}

/**
 * Spawn a script of this package with an IPC channel and wait for its `{ port }` message. A script that cannot
 * run here (a package missing) sends `{ missing }` instead: the result is then `{ missing }`.
 */
export async function spawnListening(name: string, script: string, args: readonly string[]): Promise<{ child: Child; port: number } | { missing: string }> {
  const child = spawnNode(name, benchScript(script), args, { ipc: true });
  const first = await new Promise<{ port: number } | { missing: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 15 s:\n${child.output()}`)), 15_000);
    child.child.on('message', (message: { port?: number; missing?: string }) => {
      if (message.port !== undefined) resolve({ port: message.port });
      else if (message.missing !== undefined) resolve({ missing: message.missing });
      else return;
      clearTimeout(timer);
    });
    child.child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${child.output()}`));
    });
  });
  if ('missing' in first) {
    await child.stop();
    return first;
  }
  return { child, port: first.port };
}

/** Start `upstream.js` (see there) in its own process. */
export async function startUpstream(mode: 'sync' | 'count'): Promise<Upstream> {
  const started = await spawnListening(`upstream (${mode})`, 'upstream.js', [mode]);
  if ('missing' in started) throw new Error(`upstream: ${started.missing} missing`);
  const { child, port } = started;
  const pending: ((count: number) => void)[] = [];
  const pendingLatencies: ((latencies: number[]) => void)[] = [];
  child.child.on('message', (message: { count?: number; latencies?: number[] }) => {
    if (message.count !== undefined) pending.shift()?.(message.count);
    if (message.latencies !== undefined) pendingLatencies.shift()?.(message.latencies);
  });
  return {
    ...child,
    url: `http://127.0.0.1:${port}`,
    count: () => new Promise<number>((resolve) => {
      pending.push(resolve);
      child.child.send('count');
    }),
    latencies: () => new Promise<number[]>((resolve) => {
      pendingLatencies.push(resolve);
      child.child.send('latencies');
    }),
  };
}

export interface Switchyard extends Child {
  /** Events API base URL, no trailing slash. */
  readonly events: string;
  /** Config API base URL, no trailing slash. */
  readonly config: string;
}

/**
 * Start the distribution's CLI on free ports and wait until the Config API answers `GET /v1/status`
 * (with `--log-level warn` the "is running" line is not printed).
 */
export async function startSwitchyard(args: readonly string[], options: SpawnOptions = {}): Promise<Switchyard> {
  const eventsPort = await freePort();
  const configPort = await freePort();
  const child = spawnNode('switchyard', CLI, ['--host', '127.0.0.1', '--events-port', String(eventsPort), '--config-port', String(configPort), ...args], options);
  const config = `http://127.0.0.1:${configPort}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exitedEarly(child)) throw new Error(`switchyard exited with ${child.child.exitCode ?? child.child.signalCode}:\n${child.output()}`);
    try {
      const res = await fetch(`${config}/v1/status`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(`switchyard did not answer GET /v1/status within 15 s:\n${child.output()}`);
    }
    await sleep(50);
  }
  return { ...child, events: `http://127.0.0.1:${eventsPort}`, config };
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------------------------
// CPU

let clockTicks: number | undefined;

/** `sysconf(_SC_CLK_TCK)`: the unit of utime/stime in /proc/<pid>/stat (100 on Linux almost always). */
export function clockTick(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * CPU time (user + system, all threads: main, libuv pool, GC helpers, pino's transport worker) a process has
 * used so far, in µs, from fields 14 and 15 of /proc/<pid>/stat. Resolution: one clock tick (10 ms at 100 Hz).
 */
export function processCpuMicros(pid: number): { total: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return { total: ((utime + stime) * 1e6) / clockTick(), system: (stime * 1e6) / clockTick() };
}

/** Resident memory of a process, MiB (VmRSS of /proc/<pid>/status). */
export function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

/** This process's own CPU time in µs (the load generator). */
function selfCpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function selfCpu(): { total: number; system: number } {
  const { user, system } = process.cpuUsage();
  return { total: user + system, system };
}

/**
 * Machine-wide CPU from the `cpu` line of /proc/stat, in µs: busy (user, nice, system, irq, softirq) and steal
 * (time the hypervisor gave to someone else).
 */
function machineCpuMicros(): { busy: number; steal: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [, user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).map(Number);
  const toMicros = 1e6 / clockTick();
  return { busy: (user + nice + system + irq + softirq) * toMicros, steal: steal * toMicros };
}

/**
 * Wait (at most `maxSeconds`) until the machine is quiet: less than `threshold` of a core busy over one second
 * outside this process. Other work on a 2-core machine skews every figure; the wait is reported.
 */
export async function waitForQuiet(maxSeconds = numberSetting('quiet-wait', 60), threshold = NOISE): Promise<void> {
  if (maxSeconds <= 0) return;
  const deadline = Date.now() + maxSeconds * 1000;
  let announced = false;
  for (;;) {
    const before = machineCpuMicros().busy - selfCpuMicros();
    const t = performance.now();
    await sleep(1000);
    const busy = Math.max(0, (machineCpuMicros().busy - selfCpuMicros() - before) / ((performance.now() - t) * 1000));
    if (busy < threshold) {
      if (announced) process.stdout.write(`quiet (${fmt(busy, 2)} cores busy) … `);
      return;
    }
    if (Date.now() > deadline) {
      process.stdout.write(`still ${fmt(busy, 2)} cores busy after ${maxSeconds} s, measuring anyway … `);
      return;
    }
    if (!announced) process.stdout.write(`machine busy (${fmt(busy, 2)} cores), waiting up to ${maxSeconds} s … `);
    announced = true;
  }
}

export interface CpuSample {
  /** µs of CPU (user + system) per process name; `self` is this process (the load generator). */
  readonly cpu: Record<string, number>;
  /** µs of system (kernel) CPU per process name: syscalls, and on loopback most of the TCP stack. */
  readonly system: Record<string, number>;
  readonly wallMicros: number;
  /** µs of CPU used by processes other than `self` and the named ones (other work on the machine: noise). */
  readonly othersMicros: number;
  /** µs stolen by the hypervisor. */
  readonly stealMicros: number;
}

/** CPU time used by each of a set of processes between `start()` and `stop()`, in µs. `self` is this process. */
export class CpuMeter {
  readonly #pids: Readonly<Record<string, number>>;
  #start: Record<string, { total: number; system: number }> = {};
  #machine = { busy: 0, steal: 0 };
  #startedAt = 0;

  constructor(pids: Readonly<Record<string, number>>) {
    this.#pids = pids;
  }

  start(): void {
    this.#start = this.#read();
    this.#machine = machineCpuMicros();
    this.#startedAt = performance.now();
  }

  stop(): CpuSample {
    const end = this.#read();
    const machineEnd = machineCpuMicros();
    const wallMicros = (performance.now() - this.#startedAt) * 1000;
    const cpu: Record<string, number> = {};
    const system: Record<string, number> = {};
    let ours = 0;
    for (const [name, value] of Object.entries(end)) {
      cpu[name] = value.total - (this.#start[name]?.total ?? 0);
      system[name] = value.system - (this.#start[name]?.system ?? 0);
      ours += cpu[name];
    }
    return {
      cpu,
      system,
      wallMicros,
      othersMicros: Math.max(0, machineEnd.busy - this.#machine.busy - ours),
      stealMicros: machineEnd.steal - this.#machine.steal,
    };
  }

  #read(): Record<string, { total: number; system: number }> {
    const out: Record<string, { total: number; system: number }> = { self: selfCpu() };
    for (const [name, pid] of Object.entries(this.#pids)) out[name] = processCpuMicros(pid);
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Config API

/** JSON request to the Config API; returns the status and the body text. */
export async function api(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(base + path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, text: await res.text() };
}

export interface SubscriptionSpec {
  readonly space?: string;
  readonly functionId: string;
  /** The http function's URL. */
  readonly url: string;
  readonly eventType: string;
  readonly type: 'sync' | 'async';
  readonly path: string;
  readonly method: string;
}

/** Register an http function, its event type and one subscription (409 on the first two is fine). */
export async function registerSubscription(config: string, spec: SubscriptionSpec): Promise<void> {
  const base = `/v1/spaces/${spec.space ?? 'default'}`;
  const fn = await api(config, 'POST', `${base}/functions`, { functionId: spec.functionId, type: 'http', provider: { url: spec.url } });
  if (fn.status !== 201 && fn.status !== 409) throw new Error(`POST functions: ${fn.status} ${fn.text}`);
  const et = await api(config, 'POST', `${base}/eventtypes`, { name: spec.eventType });
  if (et.status !== 201 && et.status !== 409) throw new Error(`POST eventtypes: ${et.status} ${et.text}`);
  const sub = await api(config, 'POST', `${base}/subscriptions`, {
    type: spec.type, eventType: spec.eventType, functionId: spec.functionId, path: spec.path, method: spec.method,
  });
  if (sub.status !== 201) throw new Error(`POST subscriptions: ${sub.status} ${sub.text}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Load (autocannon, programmatic)

interface AutocannonOptions {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  requests?: { setupRequest?: (request: { body?: string | Buffer }) => { body?: string | Buffer } }[];
  timeout?: number;
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  resets: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
  requests: { average: number; total: number; sent: number };
  start: Date;
  finish: Date;
}

interface AutocannonInstance {
  stop(): void;
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): void;
  on(event: 'reqError', listener: (error: Error) => void): void;
}

type Autocannon = (options: AutocannonOptions, done: (err: Error | null, result: AutocannonResult) => void) => AutocannonInstance;

const autocannon = require('autocannon') as Autocannon;

export interface LoadSpec {
  readonly url: string;
  readonly connections: number;
  /** Seconds; or `amount` requests. */
  readonly duration?: number;
  readonly amount?: number;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /**
   * Replace `[<id>]` in the body with a unique id per request. (Not autocannon's `idReplacement`: it announces a
   * Content-Length for 27 extra bytes per id, and hyperid's ids are shorter, so servers wait for the rest.)
   * Also replaces `[<sent>]` with `Date.now()` when the request is set up (just before autocannon writes it).
   */
  readonly uniqueIds?: boolean;
  /** An `amount` run is stopped after this many seconds (default 300). */
  readonly limitSeconds?: number;
}

let runs = 0;

/**
 * An autocannon `setupRequest` giving each request the body with `[<id>]` replaced by `<pid>-<run>-<n>` (and
 * `[<sent>]` by the time now, ms since the epoch).
 */
function uniqueIds(body: string): (request: { body?: string | Buffer }) => { body?: string | Buffer } {
  // Every `[<id>]` gets its own id (a batch body has one per event): `<pid>-<run>-<n>`, and `-<k>` after the first.
  const parts = body.split('[<id>]');
  const prefix = `${process.pid}-${++runs}-`;
  const stamped = body.includes('[<sent>]');
  let n = 0;
  return (request) => {
    n += 1;
    let next = parts[0] ?? '';
    for (let k = 1; k < parts.length; k++) next += `${prefix}${n}${k === 1 ? '' : `-${k}`}${parts[k]}`;
    request.body = stamped ? next.replaceAll('[<sent>]', String(Date.now())) : next;
    return request;
  };
}

export interface LoadResult {
  /** Responses received. */
  readonly responses: number;
  /** Responses per second over the first-request → last-response window. */
  readonly perSecond: number;
  /** First request sent → last response received, ms. */
  readonly elapsedMs: number;
  readonly latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  readonly statusCodes: Record<string, number>;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Up to 5 distinct request errors, for the report. */
  readonly errorSamples: string[];
}

/**
 * One autocannon run. Latency percentiles are computed here from every response's time (autocannon's own
 * histogram rounds to whole milliseconds), and the rate from the time of the last response (autocannon only
 * notices the end of an `amount` run at its next 1 s tick).
 */
export function load(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    let times = new Float64Array(1 << 16);
    let n = 0;
    let last = 0;
    let limited = false;
    const errorSamples = new Set<string>();
    const started = performance.now();
    const instance = autocannon({
      url: spec.url,
      connections: spec.connections,
      ...(spec.amount !== undefined ? { amount: spec.amount } : { duration: spec.duration ?? 10 }),
      ...(spec.method ? { method: spec.method } : {}),
      ...(spec.headers ? { headers: spec.headers } : {}),
      ...(spec.body !== undefined ? { body: spec.body } : {}),
      ...(spec.uniqueIds && spec.body !== undefined ? { requests: [{ setupRequest: uniqueIds(spec.body) }] } : {}),
      timeout: 30,
    }, (err, result) => {
      clearTimeout(limit);
      if (err) return reject(err);
      const sorted = times.subarray(0, n).sort();
      const pick = (q: number): number => (n === 0 ? 0 : sorted[Math.min(n - 1, Math.floor(q * n))]!);
      let sum = 0;
      for (const t of sorted) sum += t;
      const statusCodes: Record<string, number> = {};
      for (const [code, { count }] of Object.entries(result.statusCodeStats)) statusCodes[code] = count;
      const elapsedMs = (last || performance.now()) - started;
      resolve({
        responses: n,
        perSecond: elapsedMs > 0 ? (n * 1000) / elapsedMs : 0,
        elapsedMs,
        latency: { p50: pick(0.5), p90: pick(0.9), p99: pick(0.99), max: n === 0 ? 0 : sorted[n - 1]!, mean: n === 0 ? 0 : sum / n },
        statusCodes,
        non2xx: result.non2xx,
        errors: result.errors + (limited ? 1 : 0),
        timeouts: result.timeouts,
        errorSamples: [...errorSamples],
      });
    });
    instance.on('response', (_client, _status, _bytes, responseTimeMs) => {
      if (n === times.length) {
        const bigger = new Float64Array(times.length * 2);
        bigger.set(times);
        times = bigger;
      }
      times[n++] = responseTimeMs;
      last = performance.now();
    });
    instance.on('reqError', (error) => {
      if (errorSamples.size < 5) errorSamples.add(error.message);
    });
    const limitSeconds = spec.limitSeconds ?? 300;
    const limit = setTimeout(() => {
      limited = true;
      errorSamples.add(`run stopped after ${limitSeconds} s with ${n} of ${spec.amount} responses`);
      instance.stop();
    }, spec.amount !== undefined ? limitSeconds * 1000 : 2 ** 31 - 1);
  });
}

export interface Measurement {
  readonly load: LoadResult;
  /** CPU µs used per response, by process name (`self` is the load generator). */
  readonly cpuMicrosPerRequest: Record<string, number>;
  /**
   * CPU used as a share of one core over the window, by process name (1 = one core busy), plus `others`: every
   * other process on the machine (noise; should be near 0), and `steal`: time the hypervisor took.
   */
  readonly cores: Record<string, number>;
  /** Share of each process's CPU spent in the kernel (0–1). */
  readonly systemShare: Record<string, number>;
  /** Resident memory of each process after the run, MiB. */
  readonly rssMiB: Record<string, number>;
}

/** A load run with the CPU of `pids` sampled around it. */
export async function measure(spec: LoadSpec, pids: Readonly<Record<string, number>>): Promise<Measurement> {
  const meter = new CpuMeter(pids);
  meter.start();
  const result = await load(spec);
  const { cpu, system, wallMicros, othersMicros, stealMicros } = meter.stop();
  const cpuMicrosPerRequest: Record<string, number> = {};
  const systemShare: Record<string, number> = {};
  const cores: Record<string, number> = { others: othersMicros / wallMicros, steal: stealMicros / wallMicros };
  for (const [name, micros] of Object.entries(cpu)) {
    cpuMicrosPerRequest[name] = result.responses > 0 ? micros / result.responses : 0;
    cores[name] = micros / wallMicros;
    systemShare[name] = micros > 0 ? (system[name] ?? 0) / micros : 0;
  }
  const rss: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) rss[name] = rssMiB(pid);
  return { load: result, cpuMicrosPerRequest, cores, systemShare, rssMiB: rss };
}

export interface LoadSettings {
  /** Measured seconds. */
  readonly duration: number;
  /** Warm-up seconds before each measured run (JIT, connection pools). */
  readonly warmup: number;
  readonly connections: number;
}

/** `--duration`/`DURATION` (10), `--warmup`/`WARMUP` (3), `--connections`/`CONNECTIONS` (50). */
/**
 * `--pin`: the process under test alone on the last CPU, everything else (this process, the upstream, the load
 * generator) on the others, so its CPU per request is not inflated by sharing a core. Needs `taskset` (util-linux).
 */
export function pinProcesses(measured: number, others: readonly number[]): string {
  const cpus = os.cpus().length;
  if (cpus < 2) return 'not pinned: one CPU';
  const last = String(cpus - 1);
  const rest = cpus === 2 ? '0' : `0-${cpus - 2}`;
  try {
    execFileSync('taskset', ['-pc', last, String(measured)], { stdio: 'ignore' });
    for (const pid of [process.pid, ...others]) execFileSync('taskset', ['-apc', rest, String(pid)], { stdio: 'ignore' });
  } catch (err) {
    return `not pinned: ${(err as Error).message}`;
  }
  return `pinned: measured process on CPU ${last}, the rest on CPU ${rest}`;
}

export function loadSettings(): LoadSettings {
  return { duration: numberSetting('duration', 10), warmup: numberSetting('warmup', 3), connections: Math.max(1, numberSetting('connections', 50)) };
}

/**
 * Warm up, then measure GET `url` for the configured duration with the CPU of `pids` sampled; prints progress on
 * one line and adds any errors or non-2xx statuses to `issues`.
 */
export async function warmAndMeasure(label: string, url: string, pids: Readonly<Record<string, number>>, settings: LoadSettings, issues: string[]): Promise<Measurement> {
  const { duration, warmup, connections } = settings;
  if (warmup > 0) {
    process.stdout.write(`${label}: warm-up ${warmup} s … `);
    issues.push(...problems(`${label} warm-up`, await load({ url, connections, duration: warmup })));
  } else {
    process.stdout.write(`${label}: `);
  }
  // A run during which other processes took more than NOISE of a core is measured again (up to `--retries`,
  // default 2), and the quietest run is kept.
  let best: Measurement | undefined;
  for (let attempt = 0; attempt <= retries(); attempt++) {
    await waitForQuiet();
    process.stdout.write(`measuring ${duration} s … `);
    const m = await measure({ url, connections, duration }, pids);
    const others = m.cores['others'] ?? 0;
    process.stdout.write(`${fmt(m.load.perSecond)} req/s, ${m.cpuMicrosPerRequest['gateway'] === undefined ? '' : `gateway ${fmt(m.cpuMicrosPerRequest['gateway'])} µs/req, `}${m.cpuMicrosPerRequest['upstream'] === undefined ? '' : `upstream ${fmt(m.cpuMicrosPerRequest['upstream'])} µs/req, `}other processes ${fmt(others, 2)} cores`);
    issues.push(...problems(label, m.load));
    if (best === undefined || others < (best.cores['others'] ?? 0)) best = m;
    if (others <= NOISE) break;
    process.stdout.write(attempt < retries() ? ' — noisy, again: ' : ' — noisy, keeping the quietest run');
  }
  console.log();
  return best!;
}

function retries(): number {
  return numberSetting('retries', 2);
}

/** One GET that must answer `status` (and `body`, if given) before a target is measured. */
export async function probe(url: string, status = 200, body?: string, context = ''): Promise<void> {
  const res = await fetch(url);
  const text = await res.text();
  if (res.status !== status || (body !== undefined && text !== body)) {
    throw new Error(`GET ${url} answered ${res.status} ${text.slice(0, 500)}; expected ${status}${body === undefined ? '' : ` ${body}`}${context ? `\n${context}` : ''}`);
  }
}

/** The median of some numbers (the lower middle one for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}

/** Errors, timeouts and unexpected statuses of a run, as lines for the report (empty: clean). */
export function problems(label: string, result: LoadResult, expected: (status: number) => boolean = (s) => s >= 200 && s < 300): string[] {
  const out: string[] = [];
  if (result.errors > 0) out.push(`${label}: ${result.errors} request errors (${result.timeouts} timeouts): ${result.errorSamples.join('; ')}`);
  const unexpected = Object.entries(result.statusCodes).filter(([code]) => !expected(Number(code)));
  if (unexpected.length > 0) out.push(`${label}: unexpected statuses ${unexpected.map(([c, k]) => `${c}×${k}`).join(', ')}`);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Output

/** A plain text table, first column left-aligned, the others right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

// ---------------------------------------------------------------------------------------------------------------
// .cpuprofile summary

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileEntry {
  readonly name: string;
  readonly where: string;
  readonly ms: number;
  /** Share of the busy (non-idle) time, in %. */
  readonly pct: number;
}

export interface ProfileSummary {
  /** Sampled time, idle included, ms. */
  readonly totalMs: number;
  /** Sampled time less `(idle)`, ms: the base of every percentage. */
  readonly busyMs: number;
  /** Self time by function (name + file:line). */
  readonly functions: ProfileEntry[];
  /** Self time by package / module (node_modules package, switchyard workspace, node internals, GC). */
  readonly modules: ProfileEntry[];
  /** Inclusive time (self + callees) of Switchyard's own functions: where the pipeline spends it. */
  readonly inclusive: ProfileEntry[];
  /**
   * For the top self-time functions that are native or node internals: the nearest caller outside node and V8
   * (Switchyard or a package), with the share of that function's self time (%, of the function's time).
   */
  readonly callers: { readonly function: string; readonly from: ProfileEntry[] }[];
}

const IDLE = '(idle)';

/**
 * Self and inclusive time per function and self time per module, from a V8 `.cpuprofile` (using the sample time
 * deltas, not hit counts). Percentages are of the busy time: `(idle)` is left out.
 */
export function summariseCpuProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const keyOf = (frame: ProfileNode['callFrame']): { key: string; name: string; where: string } => {
    const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
    const name = frame.functionName || '(anonymous)';
    return { key: `${name}\u0000${where}`, name, where };
  };

  // Sample i lasts until sample i + 1 (timeDeltas[i + 1]), as Chrome's DevTools count it.
  const selfUs = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
    total += dt;
  }

  const fns = new Map<string, { name: string; where: string; us: number }>();
  const mods = new Map<string, number>();
  const inclusive = new Map<string, { name: string; where: string; us: number }>();
  let idle = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    if (frame.functionName === IDLE) {
      idle += us;
      continue;
    }
    const { key, name, where } = keyOf(frame);
    const entry = fns.get(key) ?? { name, where, us: 0 };
    entry.us += us;
    fns.set(key, entry);
    const mod = moduleOf(frame.url, name);
    mods.set(mod, (mods.get(mod) ?? 0) + us);
    // Inclusive: every distinct Switchyard function on this node's stack gets the time once.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)?.callFrame;
      if (!f || !/\/(core|providers\/[^/]+|plugins\/[^/]+|distribution)\/dist\//.test(f.url)) continue;
      const k = keyOf(f);
      if (seen.has(k.key)) continue;
      seen.add(k.key);
      const e = inclusive.get(k.key) ?? { name: k.name, where: k.where, us: 0 };
      e.us += us;
      inclusive.set(k.key, e);
    }
  }
  const busy = total - idle;

  // Callers outside node/V8 of the top self-time functions that are themselves native or node internals.
  const topKeys = [...fns.entries()].sort((a, b) => b[1].us - a[1].us).slice(0, top)
    .filter(([, e]) => e.where === '' || e.where.startsWith('node:')).slice(0, 6).map(([k]) => k);
  const callerMaps = new Map<string, Map<string, { name: string; where: string; us: number }>>(topKeys.map((k) => [k, new Map()]));
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const map = callerMaps.get(keyOf(frame).key);
    if (!map) continue;
    let at = parent.get(id);
    while (at !== undefined) {
      const f = byId.get(at)?.callFrame;
      if (f && f.url !== '' && !f.url.startsWith('node:')) break;
      at = parent.get(at);
    }
    const f = at === undefined ? undefined : byId.get(at)?.callFrame;
    const k = f ? keyOf(f) : { key: '(root)', name: '(no caller outside node: event loop, timers, streams)', where: '' };
    const e = map.get(k.key) ?? { name: k.name, where: k.where, us: 0 };
    e.us += us;
    map.set(k.key, e);
  }
  const callers = topKeys.map((k) => {
    const own = fns.get(k)!;
    const from = [...callerMaps.get(k)!.values()].sort((a, b) => b.us - a.us).slice(0, 4)
      .map((e) => ({ name: e.name, where: e.where, ms: e.us / 1000, pct: own.us > 0 ? (e.us * 100) / own.us : 0 }));
    return { function: own.where ? `${own.name} (${own.where})` : own.name, from };
  });
  const entry = (e: { name: string; where: string; us: number }): ProfileEntry =>
    ({ name: e.name, where: e.where, ms: e.us / 1000, pct: busy > 0 ? (e.us * 100) / busy : 0 });
  const ranked = (m: Map<string, { name: string; where: string; us: number }>, n: number): ProfileEntry[] =>
    [...m.values()].sort((a, b) => b.us - a.us).slice(0, n).map(entry);
  return {
    totalMs: total / 1000,
    busyMs: busy / 1000,
    functions: ranked(fns, top),
    modules: [...mods.entries()].sort((a, b) => b[1] - a[1]).map(([name, us]) => entry({ name, where: '', us })),
    inclusive: ranked(inclusive, top),
    callers,
  };
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + '/node_modules/'.length);
  const ws = /\/(core|distribution|providers\/[^/]+|plugins\/[^/]+)\/dist\/(.*)$/.exec(path);
  if (ws) return `${ws[1]}/${ws[2]}`;
  return path;
}

function moduleOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native: V8 builtins, C++ bindings, syscalls)';
  if (url.startsWith('node:')) return 'node internals (JS)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const ws = /\/(core|distribution|providers\/[^/]+|plugins\/[^/]+)\/dist\//.exec(path);
  if (ws) return `switchyard ${ws[1]}`;
  return path;
}

export function printProfile(summary: ProfileSummary, file: string): void {
  console.log(`\nCPU profile ${file}: ${fmt(summary.totalMs)} ms sampled, ${fmt(summary.busyMs)} ms busy (percentages are of the busy time)`);
  console.log(`\nTop ${summary.functions.length} functions by self time:`);
  console.log(table(['function', 'where', 'self ms', 'self %'], summary.functions.map((e) => [e.name, e.where, fmt(e.ms, 1), fmt(e.pct, 1)])));
  console.log('\nSelf time by module:');
  console.log(table(['module', 'self ms', 'self %'], summary.modules.slice(0, 15).map((e) => [e.name, fmt(e.ms, 1), fmt(e.pct, 1)])));
  console.log(`\nTop ${summary.inclusive.length} Switchyard functions by inclusive time (self + callees):`);
  console.log(table(['function', 'where', 'total ms', 'total %'], summary.inclusive.map((e) => [e.name, e.where, fmt(e.ms, 1), fmt(e.pct, 1)])));
  console.log('\nWho calls the top native / node-internal functions (nearest caller outside node and V8):');
  for (const c of summary.callers) {
    console.log(`  ${c.function}`);
    for (const e of c.from) console.log(`    ${fmt(e.pct, 0).padStart(3)} %  ${e.name}${e.where ? ` (${e.where})` : ''}`);
  }
}

/** The end of a bench script: print the problems met (if any) and return the exit code. */
export function exitCode(issues: readonly string[]): number {
  if (issues.length === 0) return 0;
  console.error(`\nProblems:\n  ${issues.join('\n  ')}`);
  return 1;
}

/** Run a bench script's `main` and exit with its code; a crash prints the stack and exits 1. */
export function runMain(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`\n${name} benchmark failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
