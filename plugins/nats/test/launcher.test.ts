import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findNatsServer, startNatsServer } from '../src/testing.ts';

describe('startNatsServer without a binary', () => {
  const withEnv = async (env: Record<string, string | undefined>, fn: () => Promise<void>): Promise<void> => {
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    try {
      await fn();
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  };
  it('skips loudly outside CI', () =>
    withEnv({ NATS_SERVER_BIN: '/nonexistent/nats-server', CI: undefined }, async () => {
      assert.equal(findNatsServer(), undefined);
      assert.equal(await startNatsServer(), undefined);
    }));
  it('fails under CI=true', () =>
    withEnv({ NATS_SERVER_BIN: '/nonexistent/nats-server', CI: 'true' }, async () => {
      await assert.rejects(startNatsServer(), /CI=true/);
    }));
});
