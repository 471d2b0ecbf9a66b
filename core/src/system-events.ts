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
}

export class SystemEvents {
  readonly #deps: SystemEventsDeps;

  constructor(deps: SystemEventsDeps) {
    this.#deps = deps;
  }

  /** Make and publish a system event. Never throws. */
  publish(space: string, type: string, data: unknown): void {
    const { hooks, bus, logger, envelope, subjectPrefix, dispatch } = this.#deps;
    try {
      const event = newGatewayEvent(type, data, { envelope, contentType: 'application/json' });
      try {
        hooks.systemEvent.call(space, event);
      } catch (err) {
        logger.error({ err, type }, 'systemEvent tap threw; taps must not throw');
      }
      bus.publish(systemEventSubject(subjectPrefix, space, type), event);
      dispatch(space, event);
    } catch (err) {
      logger.error({ err, type, space }, 'system event not published');
    }
  }
}
