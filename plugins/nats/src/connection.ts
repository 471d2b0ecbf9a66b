/**
 * One NATS connection shared by the store, the queue and the bus of a gateway. Each part acquires it when it
 * opens and releases it when it closes; the connection is drained and closed when the last part let go.
 */
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import type { ConnectionOptions, NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { consoleLogger } from '@switchyard/core';
import type { Logger } from '@switchyard/core';

/** How to reach NATS. */
export interface NatsConnectOptions {
  /** One URL, several, or a comma-separated list, e.g. `nats://a:4222,nats://b:4222`. */
  readonly servers: string | readonly string[];
  /** Connection name shown by `nats server report connections`. Default `switchyard`. */
  readonly name?: string;
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  /** A `.creds` file (JWT + NKey seed), as made by `nsc`. */
  readonly credsFile?: string;
  /** TLS: CA, client certificate and key files. Setting it (even `{}`) requires TLS. */
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
  /** Timeout of a connection attempt and of JetStream API calls, ms. Default 5 000. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

export interface NatsHandles {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
}

/** A reference-counted, lazily opened NATS connection. */
export class NatsLink {
  readonly logger: Logger;
  readonly #options: NatsConnectOptions;
  #opening: Promise<NatsHandles> | undefined;
  #users = 0;

  constructor(options: NatsConnectOptions) {
    this.#options = options;
    this.logger = options.logger ?? consoleLogger({ name: 'switchyard-nats' });
  }

  /** Connect (once) and count one more user. */
  async acquire(): Promise<NatsHandles> {
    this.#users += 1;
    try {
      return await this.handles();
    } catch (err) {
      this.#users -= 1;
      throw err;
    }
  }

  /** The handles, connecting if needed, without counting a user. */
  handles(): Promise<NatsHandles> {
    if (this.#opening === undefined) {
      const opening = this.#open();
      this.#opening = opening;
      opening.catch(() => {
        if (this.#opening === opening) this.#opening = undefined;
      });
    }
    return this.#opening;
  }

  /** Whether the connection is open (not closed, possibly reconnecting). */
  get connected(): boolean {
    return this.#opening !== undefined;
  }

  /** Count one user less; the last one closes the connection (pending publishes are flushed first). */
  async release(): Promise<void> {
    this.#users = Math.max(0, this.#users - 1);
    if (this.#users > 0 || this.#opening === undefined) return;
    const opening = this.#opening;
    this.#opening = undefined;
    const handles = await opening.catch(() => undefined);
    if (handles === undefined || handles.nc.isClosed()) return;
    await handles.nc.drain().catch(async () => handles.nc.close());
  }

  async #open(): Promise<NatsHandles> {
    const o = this.#options;
    const servers = (typeof o.servers === 'string' ? [o.servers] : [...o.servers]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
    const options: ConnectionOptions = {
      servers,
      name: o.name ?? 'switchyard',
      timeout: o.timeoutMs ?? 5_000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      // Without this, every request (each publish and confirmed ack) builds two Error objects with stack traces up
      // front, for context in case it fails: ≈ 12 % of a busy gateway's CPU. Errors keep their type and message.
      noAsyncTraces: true,
      ...(o.user !== undefined ? { user: o.user } : {}),
      ...(o.pass !== undefined ? { pass: o.pass } : {}),
      ...(o.token !== undefined ? { token: o.token } : {}),
    };
    if (o.credsFile !== undefined) {
      options.authenticator = credsAuthenticator(readFileSync(o.credsFile));
    }
    if (o.tls !== undefined) {
      options.tls = {
        ...(o.tls.caFile !== undefined ? { caFile: o.tls.caFile } : {}),
        ...(o.tls.certFile !== undefined ? { certFile: o.tls.certFile } : {}),
        ...(o.tls.keyFile !== undefined ? { keyFile: o.tls.keyFile } : {}),
      };
    }
    const nc = await connect(options);
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.logger.warn({ server: s.server }, 'NATS disconnected; reconnecting');
        else if (s.type === 'reconnect') this.logger.info({ server: s.server }, 'NATS reconnected');
        else if (s.type === 'error') this.logger.error({ err: s.error }, 'NATS error');
      }
    })().catch(() => undefined);
    const timeout = o.timeoutMs ?? 5_000;
    const js = jetstream(nc, { timeout });
    const jsm = await jetstreamManager(nc, { timeout });
    return { nc, js, jsm };
  }
}
