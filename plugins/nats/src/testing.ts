/**
 * `@switchyard/plugin-nats/testing`: a private `nats-server` for tests, on a free port with a temporary JetStream
 * directory, stopped by pid. When no `nats-server` binary exists, `startNatsServer` resolves `undefined` after a
 * loud warning so suites can skip; under `CI=true` it throws instead, so CI never passes by skipping.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface NatsServerHandle {
  readonly url: string;
  readonly port: number;
  /** The current server process. */
  readonly pid: number;
  /**
   * Stop (by pid) and start again on the same port and JetStream directory: a server restart. `downMs` keeps the
   * server down that long in between (an outage clients notice), default 0.
   */
  restart(options?: { readonly downMs?: number }): Promise<void>;
  /** Stop by pid and remove the JetStream directory. Idempotent. */
  stop(): Promise<void>;
}

/** The `nats-server` binary: `$NATS_SERVER_BIN` when set (and only it), else PATH, /usr/sbin, /usr/local/bin. */
export function findNatsServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env['NATS_SERVER_BIN'];
  const dirs = [...(env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/usr/bin'];
  const candidates = explicit ? [explicit] : dirs.filter(Boolean).map((d) => join(d, 'nats-server'));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // next
    }
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ port, host: '127.0.0.1' });
    socket.once('data', (chunk) => {
      socket.destroy();
      resolve(chunk.toString().startsWith('INFO'));
    });
    socket.once('error', () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Start a private `nats-server` (JetStream on by default). See the module comment for when it resolves `undefined`. */
export async function startNatsServer(options: { readonly jetstream?: boolean } = {}): Promise<NatsServerHandle | undefined> {
  const bin = findNatsServer();
  if (bin === undefined) {
    const message = 'nats-server not found ($NATS_SERVER_BIN, PATH, /usr/sbin, /usr/local/bin): NATS tests cannot run';
    if (process.env['CI'] === 'true') throw new Error(`${message} — failing because CI=true`);
    process.stderr.write(`\n!!!!!!!!!! SKIPPING: ${message} !!!!!!!!!!\n\n`);
    return undefined;
  }
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-nats-'));
  const launch = async (port: number): Promise<ChildProcess | undefined> => {
    const args = ['-a', '127.0.0.1', '-p', String(port), '-m', '0'];
    if (options.jetstream !== false) args.push('-js', '-sd', dir);
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4_000)));
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && child.exitCode === null && !(await accepts(port))) await new Promise((r) => setTimeout(r, 25));
    if (child.exitCode !== null || child.pid === undefined) return undefined; // port taken in between
    if (!(await accepts(port))) {
      child.kill('SIGKILL');
      throw new Error(`nats-server did not accept connections on ${port}: ${stderr}`);
    }
    return child;
  };
  const halt = async (child: ChildProcess): Promise<void> => {
    const pid = child.pid;
    if (pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited(child), new Promise((r) => (timer = setTimeout(r, 5_000)))]);
    clearTimeout(timer);
    if (pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
    await exited(child);
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    let child = await launch(port);
    if (child === undefined) continue;
    let running = true;
    return {
      url: `nats://127.0.0.1:${port}`,
      port,
      get pid() {
        return child?.pid ?? 0;
      },
      async restart(restartOptions: { readonly downMs?: number } = {}) {
        if (running) await halt(child!);
        running = false;
        if ((restartOptions.downMs ?? 0) > 0) await new Promise((r) => setTimeout(r, restartOptions.downMs));
        const again = await launch(port);
        if (again === undefined) throw new Error(`nats-server could not restart on port ${port}`);
        child = again;
        running = true;
      },
      async stop() {
        if (running) await halt(child!);
        running = false;
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error('nats-server did not start on a free port after 5 attempts');
}

export interface NatsNodeHandle {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  /** The server process (0 once killed). */
  readonly pid: number;
  /** SIGKILL this node (by pid) and wait for its exit: a crash. Idempotent. */
  kill(): Promise<void>;
}

export interface NatsClusterHandle {
  /** The client URLs of all nodes, comma-separated (what `--nats` takes). */
  readonly url: string;
  readonly nodes: readonly NatsNodeHandle[];
  /** Stop every node still running (by pid) and remove their JetStream directories. Idempotent. */
  stop(): Promise<void>;
}

/**
 * A private JetStream cluster of `size` (≥ 3) `nats-server` processes on free ports, routed to each other, each
 * with its own temporary JetStream directory. Resolves once JetStream can place a stream with `size` replicas.
 * Same skip/CI rule as `startNatsServer`.
 */
export async function startNatsCluster(size = 3): Promise<NatsClusterHandle | undefined> {
  const bin = findNatsServer();
  if (bin === undefined) {
    await startNatsServer(); // no binary: the loud skip warning (undefined), or the failure under CI=true
    return undefined;
  }
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const ports = new Set<number>();
  while (ports.size < 2 * size) ports.add(await freePort());
  const [clientPorts, routePorts] = [[...ports].slice(0, size), [...ports].slice(size)];
  const clusterName = `switchyard-test-${process.pid}`;
  const nodes: { name: string; port: number; dir: string; child: ChildProcess; stderr: () => string }[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(nodes.map(async (n) => {
      if (n.child.exitCode === null && n.child.signalCode === null && n.child.pid !== undefined) process.kill(n.child.pid, 'SIGKILL');
      await exited(n.child);
      await rm(n.dir, { recursive: true, force: true });
    }));
  };
  try {
    for (let i = 0; i < size; i++) {
      const dir = await mkdtemp(join(tmpdir(), `switchyard-nats-${i}-`));
      const routes = routePorts.filter((_, j) => j !== i).map((p) => `nats://127.0.0.1:${p}`).join(',');
      const args = ['-a', '127.0.0.1', '-p', String(clientPorts[i]), '-m', '0', '-js', '-sd', dir, '--server_name', `n${i}`,
        '--cluster_name', clusterName, '--cluster', `nats://127.0.0.1:${routePorts[i]}`, '--routes', routes];
      const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4_000)));
      nodes.push({ name: `n${i}`, port: clientPorts[i]!, dir, child, stderr: () => stderr });
    }
    const url = clientPorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
    const deadline = Date.now() + 30_000;
    for (let ready = false; !ready;) {
      if (Date.now() > deadline) throw new Error(`the NATS cluster did not become ready: ${nodes.map((n) => `${n.name}: ${n.stderr()}`).join('\n')}`);
      if (nodes.some((n) => n.child.exitCode !== null)) throw new Error(`a NATS cluster node exited: ${nodes.map((n) => `${n.name}: ${n.stderr()}`).join('\n')}`);
      const nc = await connect({ servers: url.split(','), timeout: 2_000 }).catch(() => undefined);
      if (nc !== undefined) {
        try {
          const jsm = await jetstreamManager(nc, { timeout: 2_000 });
          await jsm.streams.add({ name: 'SWITCHYARD_TEST_READY', subjects: ['switchyard.test.ready'], num_replicas: size });
          await jsm.streams.delete('SWITCHYARD_TEST_READY');
          ready = true;
        } catch {
          // no meta leader or not all peers yet
        } finally {
          await nc.close();
        }
      }
      if (!ready) await new Promise((r) => setTimeout(r, 250));
    }
    return {
      url,
      nodes: nodes.map((n) => ({
        name: n.name,
        url: `nats://127.0.0.1:${n.port}`,
        port: n.port,
        get pid() {
          return n.child.exitCode === null && n.child.signalCode === null ? n.child.pid ?? 0 : 0;
        },
        async kill() {
          if (n.child.exitCode === null && n.child.signalCode === null && n.child.pid !== undefined) process.kill(n.child.pid, 'SIGKILL');
          await exited(n.child);
        },
      })),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
