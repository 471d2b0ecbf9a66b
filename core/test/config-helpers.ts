/** Test helpers for the Config API suites: a real server on 127.0.0.1:0 over a `MemoryStore`. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConfigApp, type ConfigApiDeps } from '../src/config/app.ts';
import { MemoryStore } from '../src/embedded/memory-store.ts';
import type { Logger } from '../src/logger.ts';
import type { ConfigStore } from '../src/store.ts';
import { requestJson } from '../src/testing/index.ts';
import type { JsonReply } from '../src/testing/index.ts';

export interface TestApi {
  readonly url: string;
  readonly store: ConfigStore;
  readonly logged: { level: string; obj: unknown; msg: string | undefined }[];
  /** `body`: a string is sent as is, anything else as JSON. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<JsonReply>;
  close(): Promise<void>;
}

/** A logger that records what it is given. */
export function recordingLogger(into: TestApi['logged']): Logger {
  const at = (level: string) => (obj: object | string, msg?: string): void => {
    into.push({ level, obj, msg });
  };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

export async function startApi(deps: Partial<ConfigApiDeps> = {}): Promise<TestApi> {
  const logged: TestApi['logged'] = [];
  const store = deps.store ?? new MemoryStore();
  await store.open();
  const app = createConfigApp({ store, providers: new Map(), logger: recordingLogger(logged), ...deps });
  const handle = app.callback();
  // Koa answers its own errors (ctx.onerror), so the request promise may float, as in Gateway#listen.
  const server = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    store,
    logged,
    request: (method, path, body, headers = {}) => requestJson(url + path, { method, body, headers }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

/** `{"errors":[{"message":m}]}` as the API writes it. */
export function errorText(message: string): string {
  return `${JSON.stringify({ errors: [{ message }] })}\n`;
}

export const SPACE = '/v1/spaces/default';

/** Register an http function, an event type and return their paths (for subscription tests). */
export async function seed(api: TestApi, space = 'default'): Promise<void> {
  const base = `/v1/spaces/${space}`;
  const fn = await api.request('POST', `${base}/functions`, { functionId: 'test', type: 'http', provider: { url: 'http://example.com' } });
  const et = await api.request('POST', `${base}/eventtypes`, { name: 'test.event' });
  if (fn.status !== 201 || et.status !== 201) throw new Error(`seed failed: ${fn.text} ${et.text}`);
}
