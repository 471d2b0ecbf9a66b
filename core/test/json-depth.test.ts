import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../src/json-depth.ts';
import { parseRequest } from '../src/receive/index.ts';
import type { IncomingRequest } from '../src/context.ts';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const request = (contentType: string, body: string): IncomingRequest => ({
  method: 'POST', path: '/', decodedPath: '/', host: 'x', headers: { 'content-type': contentType }, query: {}, body: Buffer.from(body),
});

describe('JSON depth bound', () => {
  it('counts brackets outside strings only', () => {
    assert.equal(jsonTooDeep(nested(MAX_JSON_DEPTH)), false);
    assert.equal(jsonTooDeep(nested(MAX_JSON_DEPTH + 1)), true);
    assert.equal(jsonTooDeep(`["${'['.repeat(5000)}"]`), false);
    assert.equal(jsonTooDeep(`["\\"${'{'.repeat(5000)}"]`), false, 'escaped quotes do not end the string');
  });

  it('refuses over-deep events and http.request bodies with a 400 instead of accepting what cannot be delivered', () => {
    const deep = nested(50_000);
    for (const [type, body] of [
      ['application/json', deep],
      ['application/cloudevents+json', `{"specversion":"1.0","id":"1","source":"/s","type":"t","data":${deep}}`],
      ['application/cloudevents-batch+json', `[${deep}]`],
    ] as const) {
      assert.throws(() => parseRequest(request(type, body), { envelope: '1.0' }), (err: Error & { status?: number }) =>
        err.status === 400 && /nested deeper than 1000 levels/.test(err.message), type);
    }
    const ok = parseRequest(request('application/json', nested(100)), { envelope: '1.0' });
    assert.equal(ok.events.length, 1);
    assert.doesNotThrow(() => JSON.stringify(ok.events[0]));
  });
});
