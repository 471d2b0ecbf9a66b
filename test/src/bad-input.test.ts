/**
 * Bad input on the Events API: every problem is a 4xx with `{"errors":[{"message":…}]}` naming it (reference §2.1,
 * §4.2, §19), and the gateway keeps serving afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { CloudEvent } from '@switchyard/core';
import type { FunctionServer, RawResponse, RunningGateway } from './helpers.ts';
import { cloudEvent, emit, quietLogger, send, startFunction, startGateway, subscribe, waitFor } from './helpers.ts';

const LIMIT = 1024;

function assertError(res: RawResponse, status: number, pattern: RegExp, what: string): void {
  assert.equal(res.status, status, `${what}: ${res.status} ${res.body}`);
  assert.match(String(res.headers['content-type']), /^application\/json/, `${what}: content-type`);
  const body = res.json<{ errors: { message: string }[] }>();
  assert.deepEqual(Object.keys(body), ['errors'], what);
  assert.equal(body.errors.length, 1, what);
  assert.deepEqual(Object.keys(body.errors[0]!), ['message'], what);
  assert.match(body.errors[0]!.message, pattern, what);
}

const structured = (events: string, body: string) => send(`${events}/in`, { headers: { 'content-type': 'application/cloudevents+json' }, body });

describe('bad input', () => {
  let gw: RunningGateway;
  let fn: FunctionServer;

  before(async () => {
    gw = await startGateway({ logger: quietLogger(), bodyLimit: LIMIT });
    fn = await startFunction();
    await subscribe(gw.config, { functionId: 'sink', url: fn.url, eventType: 'good.event', type: 'async', path: '/in' });
  });
  after(async () => {
    await gw.close();
    await fn.close();
  });

  async function stillServing(): Promise<void> {
    const event = cloudEvent('good.event');
    assert.equal((await emit(gw.events, '/in', event)).status, 202);
    await waitFor(() => fn.calls.some((c) => c.json<CloudEvent>().id === event.id), 3000, 'a good event after bad ones');
  }

  test('structured mode: malformed JSON, non-objects, empty body', async () => {
    const cases: [string, string, RegExp][] = [
      ['truncated JSON', '{"specversion":"1.0","id":', /invalid JSON/],
      ['not JSON', 'hello', /invalid JSON/],
      ['empty body', '', /unexpected end of JSON input/],
      ['array', '[{"specversion":"1.0"}]', /must be a JSON object/],
      ['string', '"event"', /must be a JSON object/],
      ['no version at all', '{"type":"x"}', /specversion.*cloudEventsVersion/],
    ];
    for (const [what, body, pattern] of cases) assertError(await structured(gw.events, body), 400, pattern, what);
    await stillServing();
  });

  test('CloudEvents 1.0: missing and wrongly typed attributes are named', async () => {
    const base = cloudEvent('good.event');
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['missing id and source', { specversion: '1.0', type: 'good.event' }, /missing required attribute "id".*missing required attribute "source"/],
      ['missing type', { ...base, type: undefined }, /missing required attribute "type"/],
      ['numeric id', { ...base, id: 42 }, /"id" must be a non-empty string/],
      ['empty type', { ...base, type: '' }, /"type" must be a non-empty string/],
      ['bad time', { ...base, time: 'yesterday' }, /"time" is not an RFC 3339 timestamp/],
      ['bad source', { ...base, source: 'not a uri' }, /"source" is not a URI-reference/],
      ['bad dataschema', { ...base, dataschema: 'relative/path' }, /"dataschema" is not an absolute URI/],
      ['bad extension name', { ...base, 'My-Ext': 'x' }, /invalid attribute name "My-Ext"/],
      ['object extension', { ...base, myext: { a: 1 } }, /extension attribute "myext"/],
      ['data and data_base64', { ...base, data: 1, data_base64: 'AQ==' }, /mutually exclusive/],
      ['unsupported specversion', { ...base, specversion: '2.0' }, /unsupported CloudEvents specversion "2.0"/],
    ];
    for (const [what, event, pattern] of cases) assertError(await structured(gw.events, JSON.stringify(event)), 400, pattern, what);
    await stillServing();
  });

  test('CloudEvents 0.1: Go\'s validation and decoding messages', async () => {
    const base = { eventType: 'good.event', cloudEventsVersion: '0.1', source: '/src', eventID: 'e-1' };
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['missing eventID and source', { eventType: 'good.event', cloudEventsVersion: '0.1' }, /CloudEvent doesn't validate: Key: 'Event.Source' Error:Field validation for 'Source' failed on the 'uri' tag\nKey: 'Event.EventID' Error:Field validation for 'EventID' failed on the 'required' tag/],
      ['source not a URI', { ...base, source: 'myapp' }, /'Source' failed on the 'uri' tag/],
      ['numeric eventType', { ...base, eventType: 5 }, /json: cannot unmarshal number into Go struct field Event\.eventType of type string/],
      ['array extensions', { ...base, extensions: [1] }, /cannot unmarshal array into Go struct field Event\.extensions/],
      ['bad eventTime', { ...base, eventTime: 'nottime' }, /parsing time "\\"nottime\\"" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "nottime\\"" as "2006"/],
    ];
    for (const [what, event, pattern] of cases) assertError(await structured(gw.events, JSON.stringify(event)), 400, pattern, what);
    await stillServing();
  });

  test('binary modes: missing attributes, bad headers, malformed JSON data', async () => {
    const ce = { 'ce-specversion': '1.0', 'ce-id': 'b-1', 'ce-source': '/src', 'ce-type': 'good.event' };
    const cases: [string, Record<string, string>, string, RegExp][] = [
      ['1.0 without ce-id', { ...ce, 'ce-id': '' }, '', /"id"/],
      ['1.0 without ce-source', { 'ce-specversion': '1.0', 'ce-id': 'b-1', 'ce-type': 'good.event' }, '', /missing required attribute "source"/],
      ['1.0 malformed JSON data', { ...ce, 'content-type': 'application/json' }, '{"a":', /not valid JSON/],
      ['1.0 bad percent-encoding', { ...ce, 'ce-subject': '%E0%A4%A' }, '', /percent-encoding/],
      ['1.0 bad ce-time', { ...ce, 'ce-time': '2024-13-01T00:00:00Z' }, '', /"time"/],
      ['unsupported ce-specversion', { ...ce, 'ce-specversion': '0.3' }, '', /unsupported CloudEvents specversion "0.3"/],
      ['0.1 bad CE-EventTime', { 'CE-EventType': 'good.event', 'CE-CloudEventsVersion': '0.1', 'CE-Source': '/src', 'CE-EventID': 'x', 'CE-EventTime': 'soon' }, '', /parsing time "soon"/],
      ['0.1 bad CE-Source', { 'CE-EventType': 'good.event', 'CE-CloudEventsVersion': '0.1', 'CE-Source': 'NOT URI', 'CE-EventID': 'x' }, '', /'Source' failed on the 'uri' tag/],
    ];
    for (const [what, headers, body, pattern] of cases) assertError(await send(`${gw.events}/in`, { headers, body }), 400, pattern, what);
    await stillServing();
  });

  test('batch mode: not an array, a bad item, a 0.1 item', async () => {
    const batch = (body: string) => send(`${gw.events}/in`, { headers: { 'content-type': 'application/cloudevents-batch+json' }, body });
    assertError(await batch('{"specversion":"1.0"}'), 400, /batch must be a JSON array/, 'object');
    assertError(await batch('[1,'), 400, /invalid JSON/, 'malformed');
    const goodFirst = cloudEvent('good.event');
    assertError(await batch(JSON.stringify([goodFirst, { specversion: '1.0', type: 'x' }])), 400, /batch item 1: .*missing required attribute "id"/, 'bad item');
    assertError(await batch(JSON.stringify([{ eventType: 'x', cloudEventsVersion: '0.1', source: '/s', eventID: '1' }])), 400, /batch item 0: missing required attribute "specversion"/, '0.1 item');
    await stillServing();
    // Nothing of a refused batch is delivered: the good first item of the bad batch never arrived.
    assert.ok(!fn.calls.some((c) => c.json<CloudEvent>().id === goodFirst.id));
  });

  test('bad media types: Go\'s mime messages', async () => {
    const cases: [string, RegExp][] = [
      ['text/', /mime: expected token after slash/],
      ['text', /./],
      ['a b', /mime: expected slash after first token/],
      ['text/plain garbage', /mime: unexpected content after media subtype/],
      ['application/json; charset', /mime: invalid media parameter/],
      ['application/json; =utf-8', /mime: invalid media parameter/],
    ];
    for (const [contentType, pattern] of cases) {
      const res = await send(`${gw.events}/in`, { headers: { 'content-type': contentType }, body: '{}' });
      if (contentType === 'text') {
        // A lone token is accepted, as in Go: an ordinary http.request event.
        assert.equal(res.status, 202, contentType);
        continue;
      }
      assertError(res, 400, pattern, contentType);
    }
    await stillServing();
  });

  test('oversized bodies: 413 JSON, with and without Content-Length', async () => {
    const big = 'x'.repeat(LIMIT + 1);
    assertError(await send(`${gw.events}/in`, { headers: { 'content-type': 'text/plain' }, body: big }), 413, /larger than the limit of 1024 bytes/, 'content-length');
    assertError(
      await send(`${gw.events}/in`, { headers: { 'content-type': 'application/cloudevents+json', 'transfer-encoding': 'chunked' }, body: JSON.stringify(cloudEvent('good.event', { data: big })) }),
      413, /larger than the limit/, 'chunked',
    );
    // Exactly at the limit is fine.
    assert.equal((await send(`${gw.events}/in`, { headers: { 'content-type': 'text/plain' }, body: 'y'.repeat(LIMIT) })).status, 202);
    await stillServing();
  });

  test('a broken HTTP request does not take the gateway down', async () => {
    const port = Number(new URL(gw.events).port);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end('POST /in HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n'));
      let data = '';
      socket.on('data', (d: Buffer) => (data += d.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(reply, /^HTTP\/1\.1 400/);
    // A body shorter than its Content-Length, then the client goes away.
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write('POST /in HTTP/1.1\r\nHost: x\r\nContent-Type: application/cloudevents+json\r\nContent-Length: 100\r\n\r\n{"spec');
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on('close', () => resolve());
      socket.on('error', () => undefined);
    });
    await stillServing();
  });
});
