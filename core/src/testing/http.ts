/**
 * HTTP helpers for over-the-wire tests: a JSON client (`requestJson`) and a real local "function server"
 * (`startFunctionServer`) that records the calls a gateway makes to it. Everything binds 127.0.0.1.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What `requestJson` sends. */
export interface JsonRequestInit {
  /** The HTTP method; `GET` by default. */
  readonly method?: string;
  /** The body: a string is sent as is, anything else as `JSON.stringify(body)`; `undefined` sends none. */
  readonly body?: unknown;
  /**
   * Request headers. With a body, `content-type: application/json` is added unless these name a content type
   * (in any case); without a body, exactly these are sent.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The reply `requestJson` resolves with. */
export interface JsonReply<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  /** The body as text (`''` when empty). */
  readonly text: string;
  /** The body parsed as JSON; `undefined` when it is empty or not JSON (the type is not checked). */
  readonly body: T;
}

/**
 * One HTTP request with a JSON body (see `JsonRequestInit`), its reply read in full and parsed when it is JSON.
 * Never rejects for an HTTP status; rejects only when the request cannot be made.
 */
export async function requestJson<T = unknown>(url: string, init: JsonRequestInit = {}): Promise<JsonReply<T>> {
  const { method = 'GET', body, headers = {} } = init;
  const typed = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
  const res = await fetch(url, {
    method,
    headers: body === undefined || typed ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: parsed as T };
}

/** One call a function server received (its body read in full). */
export interface FunctionCall {
  readonly method: string;
  /** The request target: path and query, e.g. `/orders?x=1`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The body as UTF-8 text. */
  readonly body: string;
  /** The body parsed as JSON (throws when it is not JSON; the type is not checked). */
  json<T = unknown>(): T;
}

/**
 * Answers one call by writing to `res`. May be async; if it throws or rejects, the server answers 500 with the
 * error's message (or drops the connection when the reply has already started).
 */
export type FunctionHandler = (call: FunctionCall, res: ServerResponse) => void | Promise<void>;

/** A running function server. */
export interface FunctionServer {
  /** `http://127.0.0.1:<port>/`, with the trailing slash. */
  readonly url: string;
  /** Every call received, in order of arrival (recorded before the handler runs). */
  readonly calls: FunctionCall[];
  /** Stop listening and close every connection, idle or not. */
  close(): Promise<void>;
}

/** A `FunctionHandler` answering `status` (200 by default) with this JSON body (a string is sent as is). */
export function replyJson(value: unknown, status = 200): FunctionHandler {
  return (_call, res) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(typeof value === 'string' ? value : JSON.stringify(value));
  };
}

/**
 * A real HTTP function on 127.0.0.1 (a free port): records every call in `calls`, then answers with
 * `handler(call, res)`, or, without a handler, 200 `application/json` `{}`.
 */
export async function startFunctionServer(handler?: FunctionHandler): Promise<FunctionServer> {
  const calls: FunctionCall[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const call: FunctionCall = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json: <T>() => JSON.parse(body) as T };
      calls.push(call);
      if (!handler) {
        res.setHeader('content-type', 'application/json');
        res.end('{}');
        return;
      }
      const fail = (err: unknown): void => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.statusCode = 500;
        res.setHeader('content-type', 'text/plain; charset=utf-8');
        res.end(err instanceof Error ? err.message : String(err));
      };
      try {
        Promise.resolve(handler(call, res)).catch(fail);
      } catch (err) {
        fail(err);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
