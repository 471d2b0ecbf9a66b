/**
 * Smoke test of the example: start it (`dist/src/start.js`, functions and gateway) on free ports, call the sync API,
 * create a user (which emits `user.created`), check both workers got it (and the filter kept the mail from a user
 * without the newsletter), stop everything by pid. Exits 0 only on success.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

const [eventsPort, configPort, functionsPort] = [await freePort(), await freePort(), await freePort()];
const app = spawn(process.execPath, [fileURLToPath(new URL('start.js', import.meta.url)), '--log-level', 'warn'], {
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, EVENTS_PORT: String(eventsPort), CONFIG_PORT: String(configPort), FUNCTIONS_PORT: String(functionsPort) },
});
let output = '';
app.stdout.on('data', (d: Buffer) => (output += d.toString()));
app.stderr.on('data', (d: Buffer) => (output += d.toString()));
const events = `http://127.0.0.1:${eventsPort}`;

try {
  // Ready once the file's routes answer.
  await until('the gateway', async () => ((await fetch(`${events}/users/nobody`)).status === 404 ? true : undefined));

  const created = await fetch(`${events}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ada@example.com', newsletter: true }) });
  check(created.status === 201, `POST /users: ${created.status} ${await created.clone().text()}`);
  const ada = (await created.json()) as { id: string; email: string };
  const quiet = await fetch(`${events}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bob@example.com' }) });
  check(quiet.status === 201, `POST /users (no newsletter): ${quiet.status}`);

  const fetched = await fetch(`${events}/users/${ada.id}`);
  check(fetched.status === 200, `GET /users/:id: ${fetched.status}`);
  check(((await fetched.json()) as { email: string }).email === 'ada@example.com', 'GET /users/:id returns the user');

  const calls = await until('the workers', async () => {
    const got = (await (await fetch(`http://127.0.0.1:${functionsPort}/_calls`)).json()) as Record<string, { email: string }[]>;
    return (got['audit']?.length ?? 0) >= 2 && (got['welcome-mail']?.length ?? 0) >= 1 ? got : undefined;
  });
  check(calls['welcome-mail']!.every((u) => u.email === 'ada@example.com'), 'the filter sends welcome mails only to newsletter users');
  check(calls['audit']!.map((u) => u.email).sort().join() === 'ada@example.com,bob@example.com', 'audit got every user');
  process.stdout.write('yaml-app smoke: ok (sync API, user.created → welcome-mail (filtered) and audit)\n');
} catch (err) {
  process.stderr.write(`yaml-app smoke: FAILED: ${(err as Error).message}\n--- output ---\n${output}\n`);
  process.exitCode = 1;
} finally {
  app.kill('SIGTERM'); // start.js stops the gateway by its pid, then the functions
  const exited = await Promise.race([new Promise((resolve) => app.once('exit', resolve)), new Promise((resolve) => setTimeout(() => resolve('timeout'), 15_000))]);
  if (exited === 'timeout') {
    app.kill('SIGKILL');
    process.exitCode = 1;
  }
}
