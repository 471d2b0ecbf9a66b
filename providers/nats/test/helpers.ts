/**
 * A private nats-server, a responder connection, and a real Gateway with the nats provider on free ports
 * (`startTestGateway` of `@switchyard/core/testing`).
 */
import type { TestContext } from 'node:test';
import { connect, headers, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { startTestGateway, type TestGateway } from '@switchyard/core/testing';
import { startNatsServer, type NatsServerHandle } from '@switchyard/plugin-nats/testing';
import { natsProvider, type NatsProviderOptions } from '../src/index.ts';

const stacks = new WeakMap<TestContext, Array<() => unknown>>();

/**
 * Run `fn` when the test ends, last registered first (node:test runs `t.after` hooks in registration order, which
 * would stop the NATS server before the clients that use it drain).
 */
export function defer(t: TestContext, fn: () => unknown): void {
  let stack = stacks.get(t);
  if (stack === undefined) {
    const fns: Array<() => unknown> = [];
    stack = fns;
    stacks.set(t, fns);
    t.after(async () => {
      for (const f of fns.reverse()) await f();
    });
  }
  stack.push(fn);
}

/** The private server of this test file (skips the file loudly when there is no nats-server, fails under CI=true). */
export async function natsServer(t: TestContext): Promise<NatsServerHandle | undefined> {
  const server = await startNatsServer({ jetstream: false });
  if (server === undefined) {
    t.skip('nats-server not found');
    return undefined;
  }
  defer(t, () => server.stop());
  return server;
}

/** A client connection for services and probes, drained after the test. */
export async function client(t: TestContext, url: string): Promise<NatsConnection> {
  const nc = await connect({ servers: url, name: 'test-service' });
  defer(t, () => nc.drain());
  return nc;
}

/** One request a service received. */
export interface Received {
  readonly subject: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export function headerRecord(msg: Msg): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of msg.headers?.keys() ?? []) out[name] = msg.headers!.get(name);
  return out;
}

/**
 * A plain-subscription service on `subject`: records each request, then answers with `answer(received)` (a body,
 * or a body with headers); `undefined` answers nothing (a service that hangs).
 */
export async function service(
  nc: NatsConnection,
  subject: string,
  answer: (r: Received) => string | { body: string; headers: Record<string, string> } | undefined,
): Promise<Received[]> {
  const received: Received[] = [];
  nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) return;
      const r: Received = { subject: msg.subject, headers: headerRecord(msg), body: msg.string() };
      received.push(r);
      const reply = answer(r);
      if (reply === undefined) return;
      if (typeof reply === 'string') {
        msg.respond(reply);
        return;
      }
      const h = headers();
      for (const [k, v] of Object.entries(reply.headers)) h.set(k, v);
      msg.respond(reply.body, { headers: h });
    },
  });
  await nc.flush();
  return received;
}

/** A real Gateway with the nats provider on free ports, closed when the test ends (before the NATS server stops). */
export async function startGateway(t: TestContext, options: NatsProviderOptions): Promise<TestGateway> {
  const gateway = await startTestGateway([natsProvider(options)]);
  defer(t, () => gateway.close());
  return gateway;
}
