/**
 * Authentication options against nats-servers that require a token or a user and password (spawned here, stopped by
 * pid: `startNatsServer` has no auth flags).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { makeEvent } from '@switchyard/core/testing';
import { findNatsServer } from '@switchyard/plugin-nats/testing';
import { connect } from '@nats-io/transport-node';
import { NatsProvider } from '../src/index.ts';
import { defer, service } from './helpers.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** A nats-server with these auth flags; its URL, or undefined (skipped) without a binary. */
async function authServer(t: TestContext, flags: string[]): Promise<string | undefined> {
  const bin = findNatsServer();
  if (bin === undefined) {
    if (process.env['CI'] === 'true') throw new Error('nats-server not found (CI=true)');
    t.skip('nats-server not found');
    return undefined;
  }
  const port = await freePort();
  const child = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), ...flags], { stdio: 'ignore' });
  defer(t, () => new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    process.kill(child.pid!, 'SIGKILL');
  }));
  const url = `nats://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i += 1) {
    const up = await connect({ servers: url, ...(flags[0] === '--auth' ? { token: flags[1] } : { user: flags[1], pass: flags[3] }) }).then((nc) => nc.close().then(() => true), () => false);
    if (up) return url;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server with ${flags.join(' ')} did not come up`);
}

async function callWith(t: TestContext, provider: NatsProvider, url: string, creds: { token?: string; user?: string; pass?: string }): Promise<string> {
  const nc = await connect({ servers: url, ...creds });
  defer(t, () => nc.drain());
  await service(nc, 'svc.auth', () => 'authorized');
  await provider.start();
  defer(t, () => provider.close());
  const fn = { space: 'default', functionId: 'f', type: 'nats', provider: { subject: 'svc.auth' } };
  const result = await provider.invoke({ space: 'default', function: fn, mode: 'sync', event: makeEvent('t'), specVersion: '1.0' });
  return result.body.toString();
}

test('token auth: the right token connects, a wrong one fails start', async (t) => {
  const url = await authServer(t, ['--auth', 's3cret']);
  if (!url) return;
  await assert.rejects(new NatsProvider({ servers: url, token: 'wrong' }).start(), /Authorization|auth/i);
  assert.equal(await callWith(t, new NatsProvider({ servers: url, token: 's3cret' }), url, { token: 's3cret' }), 'authorized');
});

test('user and password auth', async (t) => {
  const url = await authServer(t, ['--user', 'gateway', '--pass', 'pw']);
  if (!url) return;
  await assert.rejects(new NatsProvider({ servers: url, user: 'gateway', pass: 'nope' }).start(), /Authorization|auth/i);
  assert.equal(await callWith(t, new NatsProvider({ servers: url, user: 'gateway', pass: 'pw' }), url, { user: 'gateway', pass: 'pw' }), 'authorized');
});
