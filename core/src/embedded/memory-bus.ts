/**
 * `MemoryBus`: the in-process `SystemBus`. NATS subject semantics (`subjectMatches`); handlers run in a microtask,
 * so a publisher is never slowed, re-entered or broken by them. Each handler gets its own copy of the event, taken
 * at publish time.
 */
import type { BusHandler, SystemBus } from '../bus.ts';
import { subjectMatches } from '../bus.ts';
import type { CloudEvent } from '../event.ts';
import { consoleLogger, type Logger } from '../logger.ts';

export interface MemoryBusOptions {
  /** Where throwing handlers and unpublishable events are reported. */
  readonly logger?: Logger;
}

interface Subscription {
  readonly pattern: string;
  readonly handler: BusHandler;
  active: boolean;
}

/** In-process `SystemBus`; see the module comment. */
export class MemoryBus implements SystemBus {
  readonly #subscriptions = new Set<Subscription>();
  readonly #logger: Logger;
  #closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.#logger = options.logger ?? consoleLogger({ component: 'system-bus' });
  }

  async open(): Promise<void> {}

  /** Never throws. Matching handlers are called in a later microtask, in subscription order. */
  publish(subject: string, event: CloudEvent): void {
    if (this.#closed) return;
    try {
      let snapshot: CloudEvent | undefined;
      for (const sub of this.#subscriptions) {
        if (!subjectMatches(sub.pattern, subject)) continue;
        const copy: CloudEvent = snapshot === undefined ? (snapshot = structuredClone(event)) : structuredClone(snapshot);
        queueMicrotask(() => this.#deliver(sub, copy, subject));
      }
    } catch (err) {
      this.#logger.error({ err, subject }, 'system event could not be published');
    }
  }

  hasSubscribers(subject?: string): boolean {
    if (this.#closed || this.#subscriptions.size === 0) return false;
    if (subject === undefined) return true;
    for (const sub of this.#subscriptions) if (subjectMatches(sub.pattern, subject)) return true;
    return false;
  }

  /** Subscribe to a NATS subject pattern (`*` one token, `>` the rest). Throws on a malformed pattern. */
  subscribe(pattern: string, handler: BusHandler): () => void {
    const tokens = pattern.split('.');
    if (tokens.some((t, i) => t === '' || (t === '>' && i !== tokens.length - 1))) {
      throw new TypeError(`Invalid subject pattern "${pattern}"`);
    }
    const sub: Subscription = { pattern, handler, active: true };
    this.#subscriptions.add(sub);
    return () => {
      sub.active = false;
      this.#subscriptions.delete(sub);
    };
  }

  /** Drop every subscription; later publishes are ignored. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const sub of this.#subscriptions) sub.active = false;
    this.#subscriptions.clear();
  }

  #deliver(sub: Subscription, event: CloudEvent, subject: string): void {
    if (!sub.active) return;
    try {
      const result: unknown = sub.handler(event, subject);
      // An async handler's rejection would otherwise be an unhandled rejection.
      if (result instanceof Promise) result.catch((err: unknown) => this.#logger.error({ err, subject, pattern: sub.pattern }, 'system bus handler failed'));
    } catch (err) {
      this.#logger.error({ err, subject, pattern: sub.pattern }, 'system bus handler threw');
    }
  }
}
