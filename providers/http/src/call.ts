/**
 * One POST to a function over an undici `Pool`: a total deadline, a response size limit, and the reply read whole.
 *
 * The per-call state is one `Call` object, handed to undici as `opaque`, so the response callback is a plain
 * function and the only closures are the three body listeners. The `Call` is also the request's abort signal:
 * undici accepts an EventEmitter that emits `abort` (measured: an AbortController costs about three times as much
 * CPU per call as this, because of EventTarget).
 */
import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher, Pool } from 'undici';
import { GatewayError, type InvokeResult } from '@switchyard/core';

type Body = Dispatcher.ResponseData['body'];

/** undici's own timeouts; they count as a function timeout, like the deadline. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function noop(): void {}

class Call extends EventEmitter {
  readonly functionId: string;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (result: InvokeResult) => void;
  readonly reject: (error: GatewayError) => void;
  settled = false;
  /** Read by undici, with `reason`, as for an AbortSignal. */
  aborted = false;
  readonly reason: Error | undefined = undefined;

  constructor(
    functionId: string,
    timeoutMs: number,
    maxBytes: number,
    resolve: (result: InvokeResult) => void,
    reject: (error: GatewayError) => void,
  ) {
    super();
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
}

/**
 * The deadline covers everything: waiting for a pooled connection, connecting, sending, and reading the reply.
 * Reject first (a request still queued in the pool only notices the abort once it is dispatched), then abort.
 */
function onDeadline(call: Call): void {
  call.fail(call.timedOut());
  call.aborted = true;
  call.emit('abort');
}

function onResponse(err: Error | null, data: Dispatcher.ResponseData<Call>): void {
  const call = data.opaque;
  if (err !== null) {
    call.fail(call.aborted ? call.timedOut() : call.failed(err));
    return;
  }
  const body = data.body;
  if (call.settled) {
    body.on('error', noop).destroy();
    return;
  }
  const declared = data.headers['content-length'];
  if (typeof declared === 'string' && Number(declared) > call.maxBytes) {
    call.fail(call.tooLarge());
    body.on('error', noop).destroy();
    return;
  }
  readBody(call, data.statusCode, data.headers, body);
}

function readBody(call: Call, status: number, headers: IncomingHttpHeaders, body: Body): void {
  const chunks: Buffer[] = [];
  let size = 0;
  body.on('error', (error: Error) => {
    call.fail(call.aborted ? call.timedOut() : call.failed(error));
  });
  body.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > call.maxBytes) {
      call.fail(call.tooLarge());
      body.destroy();
      return;
    }
    chunks.push(chunk);
  });
  body.on('end', () => {
    const whole = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    call.succeed({ status, headers: flattenHeaders(headers), body: whole });
  });
}

/** undici gives lower-case names; repeated headers arrive as arrays and are joined with ", " (in place). */
function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
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
    const call = new Call(functionId, timeoutMs, maxBytes, resolve, reject);
    pool.request<Call>({ method: 'POST', path, headers, body, signal: call, opaque: call }, onResponse);
  });
}
