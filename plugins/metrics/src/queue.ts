/**
 * Async delivery metrics, from core's `delivery` hook (accepted, refused, attempting, attempted, retrying,
 * deadLettered), so they hold for any queue: in memory, journaled, JetStream.
 *
 *   accepted / refused → received{type="custom"} per delivery; refused as full → dropped{type="custom"} too
 *   attempting (1st)   → custom_processing_seconds (time from acceptance to the first attempt)
 *   attempted          → switchyard_delivery_attempts_total; ok → processed{type="custom"}
 *   retrying           → switchyard_delivery_retries_total
 *   deadLettered       → switchyard_dead_letters_total and processed{type="custom"} (a delivery is processed once,
 *                        when it is finished)
 * Counting never throws into the gateway: a failure is logged.
 */
import type { DeliveryEvent, Gateway, Logger } from '@switchyard/core';
import { isGatewayError } from '@switchyard/core';
import type { Metrics } from './metrics.ts';
import { ASYNC_TYPE, outcomeOf } from './metrics.ts';

export function countDeliveries(gateway: Gateway, metrics: Metrics, logger: Logger, tapName: string): void {
  gateway.hooks.delivery.tap(tapName, (event) => {
    try {
      count(event, metrics);
    } catch (err) {
      logger.error({ err, kind: event.kind }, 'metrics: counting a delivery event failed');
    }
  });
}

function count(event: DeliveryEvent, metrics: Metrics): void {
  switch (event.kind) {
    case 'accepted':
    case 'refused': {
      const full = event.kind === 'refused' && isGatewayError(event.error) && event.error.code === 'GW_ERR_QUEUE_FULL';
      for (const d of event.deliveries) {
        metrics.received.inc({ space: d.space, type: ASYNC_TYPE });
        if (full) metrics.dropped.inc({ space: d.space, type: ASYNC_TYPE });
      }
      return;
    }
    case 'attempting':
      if (event.delivery.attempts <= 1) metrics.processing.observe(Math.max(0, Date.now() - event.delivery.acceptedAt) / 1000);
      return;
    case 'attempted': {
      const { delivery, outcome } = event;
      metrics.deliveryAttempts.inc({ space: delivery.space, function: delivery.functionId, outcome: outcome.ok ? 'success' : outcomeOf(outcome.status) });
      if (outcome.ok) metrics.processed.inc({ space: delivery.space, type: ASYNC_TYPE });
      return;
    }
    case 'retrying':
      metrics.retries.inc({ space: event.delivery.space, function: event.delivery.functionId });
      return;
    case 'deadLettered':
      metrics.deadLetters.inc({ space: event.delivery.space, function: event.delivery.functionId });
      metrics.processed.inc({ space: event.delivery.space, type: ASYNC_TYPE });
      return;
  }
}
