/**
 * The JetStream layout of the delivery queue: one work-queue stream and one durable pull consumer shared by every
 * gateway, created on first use (and left as they are when they exist).
 */
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

export interface QueueLayout {
  /** Stream name. */
  readonly stream: string;
  /** Subjects of the stream: `<subject>.>`. */
  readonly subject: string;
  /** Durable consumer name. */
  readonly consumer: string;
  readonly replicas: number;
  readonly ackWaitMs: number;
  readonly maxAckPending: number;
  readonly duplicateWindowMs: number;
}

function isCode(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

/** Create the stream and the consumer when absent. */
export async function ensureLayout(jsm: JetStreamManager, layout: QueueLayout): Promise<void> {
  try {
    await jsm.streams.info(layout.stream);
  } catch (err) {
    if (!isCode(err, JetStreamApiCodes.StreamNotFound)) throw err;
    await jsm.streams.add({
      name: layout.stream,
      subjects: [`${layout.subject}.>`],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      num_replicas: layout.replicas,
      duplicate_window: nanos(layout.duplicateWindowMs),
    });
  }
  try {
    await jsm.consumers.info(layout.stream, layout.consumer);
  } catch (err) {
    if (!isCode(err, JetStreamApiCodes.ConsumerNotFound)) throw err;
    await jsm.consumers.add(layout.stream, {
      durable_name: layout.consumer,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(layout.ackWaitMs),
      max_deliver: -1,
      max_ack_pending: layout.maxAckPending,
      filter_subject: `${layout.subject}.>`,
    });
  }
}

/** Deliveries in the consumer not yet acknowledged: waiting, in flight at any gateway, or waiting to be retried. */
export async function consumerDepth(jsm: JetStreamManager, layout: QueueLayout): Promise<number> {
  const info = await jsm.consumers.info(layout.stream, layout.consumer);
  return info.num_pending + info.num_ack_pending;
}
