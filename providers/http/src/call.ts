/**
 * One POST to a function over an undici `Pool`: a total deadline, a response size limit, and the reply read whole.
 *
 * The request goes out with `pool.dispatch()`, not `pool.request()`: the per-call state is one `Call` object, which
 * is also undici's dispatch handler, so the reply's chunks are collected straight into Buffers, with no Readable body
 * stream, no abort signal and no closures (measured: the body stream's nextTicks, events and microtasks were a
 * notable share of the gateway's CPU per call). Aborting goes through the controller undici hands the handler when
 * the request is dispatched onto a connection.
 */
import type { Dispatcher, Pool } from 'undici';
import { GatewayError, type InvokeResult } from '@switchyard/core';

type Headers = Record<string, string | string[] | undefined>;
type Controller = Dispatcher.DispatchController;

/** undici's own timeouts; they count as a function timeout, like the deadline. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

class Call implements Dispatcher.DispatchHandler {
  readonly functionId: string;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (result: InvokeResult) => void;
  readonly reject: (error: GatewayError) => void;
  settled = false;
  /** Set once the request is dispatched onto a connection; until then (queued in the pool) it cannot be aborted. */
  controller: Controller | undefined = undefined;
  status = 0;
  headers: Headers | undefined = undefined;
  chunks: Buffer[] = [];
  size = 0;

  constructor(
    functionId: string,
    timeoutMs: number,
    maxBytes: number,
    resolve: (result: InvokeResult) => void,
    reject: (error: GatewayError) => void,
  ) {
    this.functionId = functionId;
    this.timeoutMs = timeoutMs;
    this.maxBytes = maxBytes;
    this.resolve = resolve;
    this.reject = reject;
    this.timer = setTimeout(onDeadline, timeoutMs, this);
  }

  fail(error: GatewayError): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.reject(error);
  }

  succeed(result: InvokeResult): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.resolve(result);
  }

  timedOut(): GatewayError {
    return new GatewayError('GW_ERR_FUNCTION_TIMEOUT', `Function "${this.functionId}" timed out after ${this.timeoutMs} ms`);
  }

  tooLarge(): GatewayError {
    return new GatewayError('GW_ERR_RESPONSE_TOO_LARGE', `Function "${this.functionId}" replied with more than ${this.maxBytes} bytes`);
  }

  failed(cause: Error): GatewayError {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return this.timedOut();
    const reason = cause.message !== '' ? cause.message : typeof code === 'string' ? code : cause.name;
    return new GatewayError('GW_ERR_FUNCTION_FAILED', `Function "${this.functionId}" call failed: ${reason}`, { cause });
  }

  /** Rejects with `error` and aborts the request (closing its connection). */
  abortWith(controller: Controller, error: GatewayError): void {
    this.fail(error);
    controller.abort(error);
  }

  // undici's handler callbacks. After an abort undici calls only `onResponseError`, which then finds the call settled.

  onRequestStart(controller: Controller, _context: unknown): void {
    // The deadline passed while the request waited in the pool's queue: the call is already rejected.
    if (this.settled) controller.abort(this.timedOut());
    else this.controller = controller;
  }

  onResponseStart(controller: Controller, statusCode: number, headers: Headers): void {
    if (statusCode < 200) return; // 1xx informational: the real reply follows
    if (this.settled) {
      controller.abort(this.timedOut());
      return;
    }
    const declared = headers['content-length'];
    if (typeof declared === 'string' && Number(declared) > this.maxBytes) {
      this.abortWith(controller, this.tooLarge());
      return;
    }
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (this.settled) return;
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      this.abortWith(controller, this.tooLarge());
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(_controller: Controller, _trailers: Headers): void {
    if (this.settled || this.headers === undefined) return;
    const chunks = this.chunks;
    const whole = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.size);
    this.succeed({ status: this.status, headers: flattenHeaders(this.headers), body: whole });
  }

  /** Transport errors, undici's own timeouts, and the echo of our own aborts (by then the call is settled). */
  onResponseError(_controller: Controller | undefined, error: Error): void {
    if (!this.settled) this.fail(this.failed(error));
  }
}

/**
 * The deadline covers everything: waiting for a pooled connection, connecting, sending, and reading the reply.
 * Reject at once; abort now if the request is on a connection, else `onRequestStart` aborts it once dispatched.
 */
function onDeadline(call: Call): void {
  const error = call.timedOut();
  call.fail(error);
  call.controller?.abort(error);
}

/** undici gives lower-case names; repeated headers arrive as arrays and are joined with ", " (in place). */
function flattenHeaders(headers: Headers): Record<string, string> {
  for (const name in headers) {
    const value = headers[name];
    if (typeof value !== 'string') {
      if (value === undefined) delete headers[name];
      else headers[name] = value.join(', ');
    }
  }
  return headers as Record<string, string>;
}

/** POST `body` to `path` on `pool`. Resolves with any status; rejects with a `GatewayError`. */
export function post(
  pool: Pool,
  path: string,
  headers: Readonly<Record<string, string>>,
  body: string | Buffer,
  functionId: string,
  timeoutMs: number,
  maxBytes: number,
): Promise<InvokeResult> {
  return new Promise<InvokeResult>((resolve, reject) => {
    pool.dispatch({ method: 'POST', path, headers, body }, new Call(functionId, timeoutMs, maxBytes, resolve, reject));
  });
}
