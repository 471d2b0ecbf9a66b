import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGateway, natsOptions, parseOptions } from '../src/index.ts';

describe('cluster-mode flags', () => {
  it('parse into NatsOptions, Go-style flags included', () => {
    const options = parseOptions([
      '-nats=nats://a:4222, nats://b:4222', '--nats-creds', '/etc/sy.creds', '--nats-user', 'u', '--nats-token=t', '--nats-tls-ca', '/ca.pem',
      '--nats-stream', 'DELIVERIES', '--nats-bucket', 'config', '--nats-subject-prefix', 'sy', '--nats-replicas', '3',
    ]);
    assert.deepEqual(natsOptions(options, { SWITCHYARD_NATS_PASSWORD: 'secret' }), {
      servers: ['nats://a:4222', 'nats://b:4222'], credsFile: '/etc/sy.creds', user: 'u', pass: 'secret', token: 't', tls: { caFile: '/ca.pem' },
      stream: 'DELIVERIES', bucket: 'config', subjectPrefix: 'sy', replicas: 3,
    });
  });
  it('--nats-password wins over the environment; no --nats, no cluster mode', () => {
    assert.equal(natsOptions(parseOptions(['--nats', 'nats://a:4222', '--nats-password', 'flag']), { SWITCHYARD_NATS_PASSWORD: 'env' })?.pass, 'flag');
    assert.equal(natsOptions(parseOptions([]), {}), undefined);
  });
  it('--nats-ack-wait sets the consumer ack wait (ms), at least 1 s', () => {
    assert.equal(natsOptions(parseOptions(['--nats', 'nats://a:4222', '--nats-ack-wait', '3000']), {})?.ackWaitMs, 3000);
    assert.equal(natsOptions(parseOptions(['--nats', 'nats://a:4222', '-nats-ack-wait=2000']), {})?.ackWaitMs, 2000);
    assert.equal(natsOptions(parseOptions(['--nats', 'nats://a:4222']), {})?.ackWaitMs, undefined);
    assert.throws(() => parseOptions(['--nats', 'nats://a:4222', '--nats-ack-wait', '10']), /integer from 1000/);
  });
  it('refuses --nats-replicas out of range', () => {
    assert.throws(() => parseOptions(['--nats', 'nats://a:4222', '--nats-replicas', '7']), /integer from 1 to 5/);
  });
  it('createGateway refuses dataDir together with nats', () => {
    assert.throws(() => createGateway({ dataDir: '/tmp/x', nats: { servers: 'nats://127.0.0.1:4222' } }), /--data-dir and --nats are exclusive/);
  });
});
