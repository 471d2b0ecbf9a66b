/**
 * `SystemBus`: where system events (`eventgateway.*`) are published. In process by default; NATS subjects in
 * cluster mode (`@switchyard/plugin-nats`). One contract suite (`@switchyard/core/testing` `systemBusContract`).
 *
 * Subjects follow NATS semantics: tokens separated by `.`, `*` matches one token, `>` matches one or more
 * trailing tokens. A system event is published on `<prefix>.<space>.<event type>`, e.g.
 * `eventgateway.default.eventgateway.function.invoked`.
 */
import type { CloudEvent } from './event.ts';

export type BusHandler = (event: CloudEvent, subject: string) => void;

export interface SystemBus {
  open(): Promise<void>;
  /** Publish. Never throws: a bus failure must not break the pipeline. */
  publish(subject: string, event: CloudEvent): void;
  /**
   * Whether anything listens on `subject` (without one: on any subject). Optional: a bus that cannot tell (NATS:
   * listeners are elsewhere) leaves it out and every system event is made and published; one that can lets the
   * gateway skip unwanted ones.
   */
  hasSubscribers?(subject?: string): boolean;
  /** Subscribe to a subject pattern. Returns the function that unsubscribes. */
  subscribe(pattern: string, handler: BusHandler): () => void;
  close(): Promise<void>;
}

export const DEFAULT_SUBJECT_PREFIX = 'eventgateway';

/** The subject of a system event. Dots in the space would split tokens, so they become `_`. */
export function systemEventSubject(prefix: string, space: string, type: string): string {
  return `${prefix}.${space.replaceAll('.', '_')}.${type}`;
}

/** NATS subject matching: `*` one token, `>` the rest (at least one token). */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return p.length === s.length;
}
