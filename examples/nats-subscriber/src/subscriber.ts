/**
 * A system-event subscriber: connects to the NATS a Switchyard cluster uses, subscribes to every system event of
 * every space, and prints one line per event.
 *
 *   node examples/nats-subscriber/dist/src/subscriber.js nats://127.0.0.1:4222
 *
 * Subjects are `<prefix>.<space>.<event type>` (prefix `eventgateway`; dots in a space become `_`). Each message
 * is a structured CloudEvent (JSON body) whose attributes are also NATS headers (`ce-type`, `ce-id`, …).
 */
import { connect } from '@nats-io/transport-node';
import type { Msg } from '@nats-io/transport-node';

const servers = (process.argv[2] ?? process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222').split(',');
const prefix = process.env['SUBJECT_PREFIX'] ?? 'eventgateway';

/** The fields of system events this program reads (see core/README.md, "System events"). */
interface SystemEventData {
  readonly functionId?: string;
  readonly event?: { readonly type?: string; readonly eventType?: string; readonly id?: string; readonly eventID?: string };
  readonly error?: { readonly message?: string };
  readonly reason?: string;
  readonly attempts?: number;
  readonly delayMs?: number;
  readonly eventType?: string;
}

/** When each call started (`function.invoking`), by function and event, to report how long it took. */
const started = new Map<string, number>();

function describe(msg: Msg): string {
  const type = msg.headers?.get('ce-type') ?? '?';
  const space = msg.subject.split('.')[1] ?? '?';
  const event = msg.json<{ time?: string; eventTime?: string; data?: SystemEventData }>();
  const data = event.data ?? {};
  const at = Date.parse(event.time ?? event.eventTime ?? '') || Date.now();
  const call = `${space}/${data.functionId}/${data.event?.id ?? data.event?.eventID}`;
  switch (type) {
    case 'eventgateway.event.received':
      return `received ${data.event?.type ?? data.event?.eventType} in ${space}`;
    case 'eventgateway.function.invoking':
      started.set(call, at);
      return `invoking ${data.functionId} with ${data.event?.type ?? data.event?.eventType}`;
    case 'eventgateway.function.invoked': {
      const since = started.get(call);
      started.delete(call);
      return since === undefined ? `invoked ${data.functionId}` : `invoked ${data.functionId} in ${at - since} ms`;
    }
    case 'eventgateway.function.invocationFailed':
      started.delete(call);
      return `invocation of ${data.functionId} failed: ${data.error?.message}`;
    case 'eventgateway.event.rejected':
      return `rejected ${data.eventType} for ${data.functionId}: ${data.reason}`;
    case 'eventgateway.delivery.retried':
      return `retrying ${data.functionId} in ${data.delayMs} ms (attempt ${data.attempts}: ${data.reason})`;
    case 'eventgateway.delivery.deadLettered':
      return `dead-lettered a delivery to ${data.functionId} after ${data.attempts} attempts: ${data.reason}`;
    default:
      return `${type} in ${space}`;
  }
}

const nc = await connect({ servers, name: 'switchyard-system-events' });
const subject = `${prefix}.*.eventgateway.>`; // every space, every system event
const subscription = nc.subscribe(subject);
await nc.flush(); // the server has the subscription: nothing published from now on is missed
console.log(`watching ${subject} on ${nc.getServer()}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void nc.drain());

for await (const msg of subscription) {
  try {
    console.log(describe(msg));
  } catch (err) {
    console.error(`unreadable message on ${msg.subject}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
await nc.closed();
