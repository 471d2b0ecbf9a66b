/**
 * A real `Gateway` with one provider, driven over HTTP as users do: functions and subscriptions through the Config
 * API, events through the Events API. Shared by the four AWS providers' tests.
 */
import { Gateway, type GatewayPlugin } from '@switchyard/core';
import { captureLogger, requestJson, waitFor, type JsonReply } from '@switchyard/core/testing';

export interface ProviderGateway {
  readonly gateway: Gateway;
  readonly eventsUrl: string;
  /** `<configUrl>/v1/spaces/default`. */
  readonly api: string;
  /** `POST /functions`; the reply as is (201, or 400 with the validation message). */
  registerFunction(functionId: string, type: string, provider: Record<string, unknown>): Promise<JsonReply>;
  /**
   * Creates the event type (once) and a subscription, and waits until routing has it. Sync subscriptions listen on
   * `POST /<functionId>`, async ones on `POST /`.
   */
  subscribe(type: 'sync' | 'async', eventType: string, functionId: string): Promise<void>;
  /** Emits a CloudEvents 1.0 structured event on `POST <path>`. */
  emit(eventType: string, data: unknown, path?: string, id?: string): Promise<JsonReply>;
  close(): Promise<void>;
}

export async function startProviderGateway(plugin: GatewayPlugin): Promise<ProviderGateway> {
  const gateway = new Gateway({ logger: captureLogger() }).use(plugin);
  const { eventsUrl, configUrl } = await gateway.start({ eventsPort: 0, configPort: 0 });
  const api = `${configUrl}/v1/spaces/default`;
  const eventTypes = new Set<string>();
  let count = 0;
  return {
    gateway,
    eventsUrl,
    api,
    registerFunction: (functionId, type, provider) => requestJson(`${api}/functions`, { method: 'POST', body: { functionId, type, provider } }),
    async subscribe(type, eventType, functionId) {
      if (!eventTypes.has(eventType)) {
        const created = await requestJson(`${api}/eventtypes`, { method: 'POST', body: { name: eventType } });
        if (created.status !== 201) throw new Error(`event type: ${created.status} ${created.text}`);
        eventTypes.add(eventType);
      }
      const path = type === 'sync' ? `/${functionId}` : '/';
      const created = await requestJson<{ subscriptionId: string }>(`${api}/subscriptions`, { method: 'POST', body: { type, eventType, functionId, path, method: 'POST' } });
      if (created.status !== 201) throw new Error(`subscription: ${created.status} ${created.text}`);
      await waitFor(() => gateway.table.subscription('default', created.body.subscriptionId) !== undefined, 5_000, 'routing table has the subscription');
    },
    emit(eventType, data, path = '/', id = `event-${++count}`) {
      return requestJson(`${eventsUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json' },
        body: { specversion: '1.0', type: eventType, source: 'https://switchyard.test/aws', id, datacontenttype: 'application/json', data },
      });
    },
    close: () => gateway.close(),
  };
}
