/** The foundation's contract suites, unchanged, against the NATS implementations on a private nats-server. */
import { after, it } from 'node:test';
import { captureLogger, configStoreContract, deliveryQueueContract, systemBusContract } from '@switchyard/core/testing';
import { NatsBus, NatsLink, NatsQueue, NatsStore } from '../src/index.ts';
import { startNatsServer } from './nats-server.ts';

const server = await startNatsServer({ jetstream: true });

if (server === undefined) {
  it('NATS contract suites (skipped: no nats-server)', { skip: 'nats-server not found' }, () => undefined);
} else {
  const url = server.url;
  const link = (): NatsLink => new NatsLink({ servers: url, logger: captureLogger() });
  const admin = link();
  const { jsm } = await admin.acquire();
  after(async () => {
    await admin.release();
    await server.stop();
  });
  let n = 0;

  configStoreContract('NatsStore (JetStream KV)', async () => {
    const bucket = `contract-${++n}`;
    const make = (): NatsStore => new NatsStore({ link: link(), bucket });
    return { store: make(), reopen: async () => make(), cleanup: async () => void (await jsm.streams.delete(`KV_${bucket}`).catch(() => false)) };
  });

  deliveryQueueContract('NatsQueue (JetStream work queue)', async (options) => {
    const id = ++n;
    const make = (): NatsQueue =>
      new NatsQueue({ link: link(), ...options, stream: `CONTRACT_${id}`, consumer: `c${id}`, subjectPrefix: `contract${id}`, depthRefreshMs: 100 });
    return { queue: make(), reopen: async () => make(), cleanup: async () => void (await jsm.streams.delete(`CONTRACT_${id}`).catch(() => false)) };
  });

  systemBusContract('NatsBus (NATS subjects)', async () => ({ bus: new NatsBus({ link: link() }), cleanup: async () => undefined }));
}
