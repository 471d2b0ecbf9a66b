/**
 * The `switchyard` command as a child process, for tests: started on free ports (`--events-port 0
 * --config-port 0`), its URLs read from its startup log line, stopped by pid.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@switchyard/core/testing';

/** The compiled CLI, from `test/` (tsx) or from `dist/test/`. */
export const CLI = [new URL('../src/cli.js', import.meta.url), new URL('../dist/src/cli.js', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((path) => existsSync(path)) ?? fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));

export interface CliRun {
  readonly child: ChildProcessWithoutNullStreams;
  readonly events: string;
  readonly config: string;
  /** stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then the exit code (SIGKILL after 15 s). */
  stop(): Promise<number | null>;
}

export interface CliResult {
  readonly code: number | null;
  readonly output: string;
}

function launch(args: readonly string[], env: NodeJS.ProcessEnv): { child: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: 'pipe', env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Start `switchyard` on free ports and wait until it reports that it is running. */
export async function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000): Promise<CliRun> {
  const { child, output, exited } = launch(['--host', '127.0.0.1', '--events-port', '0', '--config-port', '0', '--log-format', 'json', ...args], env);
  try {
    await waitFor(() => output().includes('Switchyard is running') || child.exitCode !== null, timeoutMs, 'switchyard to start');
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}; output so far:\n${output()}`, { cause: err });
  }
  if (child.exitCode !== null) throw new Error(`switchyard exited with ${child.exitCode}:\n${output()}`);
  const url = (name: string): string => new RegExp(`"${name}":"([^"]+)"`).exec(output())?.[1] ?? '';
  return {
    child, events: url('eventsUrl'), config: url('configUrl'), output,
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Run `switchyard` expecting it to exit by itself (a bad config file); kill it after `timeoutMs`. */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20_000): Promise<CliResult> {
  const { child, output, exited } = launch(['--host', '127.0.0.1', '--events-port', '0', '--config-port', '0', ...args], env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await exited;
  clearTimeout(timer);
  return { code, output: output() };
}
