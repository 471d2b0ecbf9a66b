/**
 * A custom gateway build: core, the HTTP provider, JSONata transforms and Prometheus metrics — nothing else.
 *
 *   EVENTS_PORT=4000 CONFIG_PORT=4001 node examples/custom-gateway/dist/src/gateway.js
 */
import { Gateway } from '@switchyard/core';
import { MetricsPlugin } from '@switchyard/plugin-metrics';
import { TransformPlugin } from '@switchyard/plugin-transform';
import { httpProvider } from '@switchyard/provider-http';

const gateway = new Gateway({
  plugins: [
    httpProvider({ timeoutMs: 3_000 }),        // functions of type "http"
    new TransformPlugin({ timeoutMs: 50 }),    // `filter` / `transform` expressions on subscriptions and event types
    new MetricsPlugin(),                       // Prometheus text at GET /v1/metrics on the Config API
  ],
});

const { eventsUrl, configUrl } = await gateway.start({
  eventsPort: Number(process.env['EVENTS_PORT'] ?? 4000),
  configPort: Number(process.env['CONFIG_PORT'] ?? 4001),
});
console.log(`custom gateway: Events API ${eventsUrl}, Config API ${configUrl}`);

// Graceful shutdown: stop accepting, finish in-flight calls and queued deliveries, then exit 0.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void gateway.close({ timeoutMs: 10_000 }).then(() => process.exit(0), (err: unknown) => {
    console.error('custom gateway: shutdown failed', err);
    process.exit(1);
  }));
}
