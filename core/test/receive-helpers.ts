/** Shared helpers of the receive-*.test.ts files. */
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import type { IncomingRequest } from '../src/context.ts';
import { isGatewayError } from '../src/errors.ts';
import { parseRequest } from '../src/receive/index.ts';
import type { ParseOptions } from '../src/receive/index.ts';

export const NOW = new Date('2020-01-02T03:04:05.678Z');
export const V01: ParseOptions = { envelope: '0.1', now: () => NOW, newId: () => 'id-1' };
export const V1: ParseOptions = { envelope: '1.0', now: () => NOW, newId: () => 'id-1' };

/** An Events API request as the HTTP intake hands it over (lower-case header names, as Node gives them). */
export function request(headers: IncomingHttpHeaders, body: string | Buffer = '', extra: Partial<IncomingRequest> = {}): IncomingRequest {
  return {
    method: 'POST',
    path: '/',
    decodedPath: '/',
    host: 'localhost:4000',
    headers: { host: 'localhost:4000', ...headers },
    query: {},
    body: typeof body === 'string' ? Buffer.from(body) : body,
    ...extra,
  };
}

/** parseRequest must throw a 400 GatewayError with this code and message. */
export function rejects(req: IncomingRequest, message: string | RegExp, code = 'GW_ERR_INVALID_EVENT'): void {
  assert.throws(() => parseRequest(req, V1), (err: unknown) => {
    assert.ok(isGatewayError(err));
    assert.equal(err.status, 400);
    assert.equal(err.code, code);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}
