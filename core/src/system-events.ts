/**
 * System events: every stage outcome as a CloudEvent (`eventgateway.*`), published on the `SystemBus` and
 * dispatched to gateway subscriptions of those types. Publishing never throws into the pipeline.
 *
 * Dispatch to subscriptions happens in the gateway that made the event (not through the bus), so in a cluster
 * each system event reaches its subscribers once, not once per gateway.
 */
import type { SystemBus } from './bus.ts';
import { systemEventSubject } from './bus.ts';
import type { CloudEvent, SpecVersion } from './event.ts';
import { hopsOf, setHops } from './event.ts';
import type { GatewayHooks } from './hooks.ts';
import type { Logger } from './logger.ts';
import { newGatewayEvent } from './receive/index.ts';

export interface SystemEventsDeps {
  readonly hooks: GatewayHooks;
  readonly bus: SystemBus;
  readonly logger: Logger;
  readonly envelope: SpecVersion;
  readonly subjectPrefix: string;
  /** Deliver a system event to the gateway's own subscriptions of its type. */
  readonly dispatch: (space: string, event: CloudEvent) => void;
  /** Loop protection: a system event whose hop count would exceed this is not made (logged and counted). */
  readonly maxHops: number;
  /** Whether the gateway may have subscriptions to this system event type, in any space (for `dispatch`). */
  readonly hasSubscriptions: (type: string) => boolean;
}

/** A system event's data, or a function that makes it (called only when someone listens). */
export type SystemEventData = unknown;

export class SystemEvents {
  readonly #deps: SystemEventsDeps;
  /** System events not made because they would have exceeded `maxHops`. */
  suppressed = 0;

  constructor(deps: SystemEventsDeps) {
    this.#deps = deps;
  }

  /**
   * Make and publish a system event, if anything listens. `data` may be a function, called only then (so callers
   * on the hot path build nothing for nobody). `about` is the event it reports on: the new event's hop count
   * (`eventgatewayhops`) is one more than `about`'s (1 without `about`); past `maxHops` nothing is made. Never throws.
   */
  publish(space: string, type: string, data: SystemEventData, about?: CloudEvent): void {
    const { hooks, bus, logger, envelope, subjectPrefix, dispatch, maxHops, hasSubscriptions } = this.#deps;
    try {
      // Nothing is made that nobody would see: no systemEvent tap, no subscription of the type, no bus listener
      // (asked first without a subject, so the usual case builds no string at all).
      const unobserved = hooks.systemEvent.taps.length === 0 && !hasSubscriptions(type);
      if (unobserved && bus.hasSubscribers?.() === false) return;
      const subject = systemEventSubject(subjectPrefix, space, type);
      if (unobserved && bus.hasSubscribers?.(subject) === false) return;
      const hops = (about === undefined ? 0 : hopsOf(about)) + 1;
      if (hops > maxHops) {
        this.suppressed += 1;
        logger.warn({ space, type, hops, maxHops, aboutId: about?.id, aboutType: about?.type }, 'system event not made: it would exceed the maximum hop count (loop protection)');
        return;
      }
      const value = typeof data === 'function' ? (data as () => SystemEventData)() : data;
      const event = setHops(newGatewayEvent(type, value, { envelope, contentType: 'application/json' }), hops);
      try {
        hooks.systemEvent.call(space, event);
      } catch (err) {
        logger.error({ err, type }, 'systemEvent tap threw; taps must not throw');
      }
      bus.publish(subject, event);
      dispatch(space, event);
    } catch (err) {
      logger.error({ err, type, space }, 'system event not published');
    }
  }
}
