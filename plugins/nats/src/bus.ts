/**
 * `NatsBus`: the `SystemBus` on core NATS subjects. Each event is published as a structured CloudEvent (JSON
 * body, `content-type: application/cloudevents+json`) with `ce-specversion`, `ce-type`, `ce-id`, `ce-source`
 * headers, so any NATS client can subscribe and filter without parsing. Publishing is fire-and-forget: while the
 * connection is reconnecting nats.js buffers outgoing messages (bounded by its reconnect buffer); a publish that
 * fails (closed connection, invalid subject, buffer full) is logged and dropped, never thrown. Events published
 * during one turn of the event loop are handed to nats.js together (`setImmediate`), so they leave in one socket
 * write instead of one each (a busy gateway publishes several per delivery); `close` sends what is pending first.
 */
import { headers } from '@nats-io/transport-node';
import type { MsgHdrs, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { BusHandler, CloudEvent, SystemBus } from '@switchyard/core';
import type { NatsLink } from './connection.ts';
import { TurnBatch } from './turn.ts';

export interface NatsBusOptions {
  readonly link: NatsLink;
}

export class NatsBus implements SystemBus {
  readonly #link: NatsLink;
  #nc: NatsConnection | undefined;
  readonly #subs = new Set<Subscription>();
  /** Events of one event-loop turn go to nats.js together (one socket write); `close` sends what is pending first. */
  readonly #turn = new TurnBatch();

  constructor(options: NatsBusOptions) {
    this.#link = options.link;
  }

  async open(): Promise<void> {
    if (this.#nc !== undefined) return;
    this.#nc = (await this.#link.acquire()).nc;
  }

  publish(subject: string, event: CloudEvent): void {
    if (this.#nc === undefined) {
      this.#link.logger.debug({ subject, id: event.id }, 'system event dropped: the NATS bus is closed');
      return;
    }
    try {
      // Encoded now: later changes the publisher makes to the event are not sent.
      const h = headers();
      h.set('content-type', 'application/cloudevents+json');
      for (const field of ['specversion', 'type', 'id', 'source'] as const) {
        const value = event[field];
        if (typeof value === 'string') h.set(`ce-${field}`, value);
      }
      const body = JSON.stringify(event);
      this.#turn.run(() => this.#send(subject, event.id, body, h));
    } catch (err) {
      this.#link.logger.error({ err, subject, id: event.id }, 'system event dropped: NATS publish failed');
    }
  }

  #send(subject: string, id: string, body: string, h: MsgHdrs): void {
    const nc = this.#nc;
    if (nc === undefined || nc.isClosed() || nc.isDraining()) {
      this.#link.logger.debug({ subject, id }, 'system event dropped: the NATS bus is closed');
      return;
    }
    try {
      nc.publish(subject, body, { headers: h });
    } catch (err) {
      this.#link.logger.error({ err, subject, id }, 'system event dropped: NATS publish failed');
    }
  }

  subscribe(pattern: string, handler: BusHandler): () => void {
    const nc = this.#nc;
    if (nc === undefined) throw new Error('NatsBus.subscribe before open');
    const sub = nc.subscribe(pattern, {
      callback: (err, msg) => {
        if (err !== null) {
          this.#link.logger.error({ err, pattern }, 'NATS subscription error');
          return;
        }
        try {
          handler(msg.json<CloudEvent>(), msg.subject);
        } catch (e) {
          this.#link.logger.error({ err: e, subject: msg.subject }, 'a system event handler threw');
        }
      },
    });
    this.#subs.add(sub);
    return () => {
      if (!this.#subs.delete(sub)) return;
      if (!nc.isClosed()) sub.unsubscribe();
    };
  }

  async close(): Promise<void> {
    if (this.#nc === undefined) return;
    this.#turn.flush();
    for (const sub of this.#subs) if (!this.#nc.isClosed()) sub.unsubscribe();
    this.#subs.clear();
    this.#nc = undefined;
    await this.#link.release();
  }
}
