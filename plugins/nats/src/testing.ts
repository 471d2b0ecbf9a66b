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
  /** Stop (by pid) and start again on the same port and JetStream directory: a server restart. */
  restart(): Promise<void>;
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
    await Promise.race([exited(child), new Promise((r) => setTimeout(r, 5_000))]);
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
      async restart() {
        if (running) await halt(child!);
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
