/**
 * Smoke test: a real gateway with the plugin (3 events per minute per client), three events accepted, the fourth
 * refused with 429 and `Retry-After`, then the gateway closed. Exits non-zero with the reason on failure.
 */
import { Gateway } from '@switchyard/core';
import { requestJson } from '@switchyard/core/testing';
import { RateLimitPlugin } from './index.ts';

const gateway = new Gateway({ plugins: [new RateLimitPlugin({ limit: 3, intervalMs: 60_000 })] });
const { eventsUrl } = await gateway.start({ eventsPort: 0, configPort: 0 });
try {
  const event = { specversion: '1.0', id: '1', source: 'smoke', type: 'user.created', data: {} };
  const emit = () => requestJson(eventsUrl, { method: 'POST', body: event, headers: { 'content-type': 'application/cloudevents+json' } });
  for (let i = 1; i <= 3; i++) {
    const res = await emit();
    if (res.status !== 202) throw new Error(`event ${i}: expected 202, got ${res.status} ${res.text}`);
  }
  const refused = await emit();
  if (refused.status !== 429 || refused.headers.get('retry-after') === null) {
    throw new Error(`event 4: expected 429 with Retry-After, got ${refused.status} ${refused.text}`);
  }
  console.log(`plugin-ratelimit: ok (3 × 202, then 429 Retry-After: ${refused.headers.get('retry-after')} ${refused.text.trim()})`);
} catch (err) {
  console.error(`plugin-ratelimit smoke FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await gateway.close();
}
