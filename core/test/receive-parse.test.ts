import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IncomingRequest } from '../src/context.ts';
import { GATEWAY_EVENT_SOURCE, HTTP_REQUEST_EVENT } from '../src/event.ts';
import type { HttpRequestData } from '../src/event.ts';
import { httpRequestData, newGatewayEvent, parseRequest } from '../src/receive/index.ts';
import type { ParseOptions } from '../src/receive/index.ts';
import { V01, V1, rejects, request } from './receive-helpers.ts';

function httpData(req: IncomingRequest, options: ParseOptions = V1): HttpRequestData {
  const { events, specVersion, batch } = parseRequest(req, options);
  assert.equal(events.length, 1);
  assert.equal(batch, false);
  assert.equal(specVersion, options.envelope);
  assert.equal(events[0]?.type, HTTP_REQUEST_EVENT);
  return events[0]?.data as HttpRequestData;
}

describe('receive: http.request', () => {
  it('matches the reference §4.4 example', () => {
    const data = httpData(request({ 'content-type': 'application/json' }, '{"key":"value"}'));
    assert.deepEqual(data, {
      headers: { 'Content-Type': 'application/json' },
      query: {},
      body: { key: 'value' },
      host: 'localhost:4000',
      path: '/',
      method: 'POST',
      params: null,
    });
  });

  it('makes a 1.0 envelope by default options and a 0.1 envelope like event.New', () => {
    const req = request({ 'content-type': 'application/json' }, '{}');
    const [v1] = parseRequest(req, V1).events;
    assert.deepEqual({ ...v1, data: undefined }, {
      specversion: '1.0', id: 'id-1', source: GATEWAY_EVENT_SOURCE, type: 'http.request',
      time: '2020-01-02T03:04:05.678Z', datacontenttype: 'application/json', data: undefined,
    });
    const [v01] = parseRequest(req, V01).events;
    assert.equal(v01?.specversion, '0.1');
    assert.deepEqual(v01?.['extensions'], { eventgateway: { transformed: 'true', 'transformation-version': '0.1' } });
    assert.equal(v01?.datacontenttype, 'application/json');
  });

  it('flattens headers with Go canonical names, joins repeated values, leaves Host out', () => {
    const data = httpData(request({
      'x-api-key': 'k', 'user-agent': 'ua', 'x-custom-thing': 'a', 'set-cookie': ['a=1', 'b=2'], 'transfer-encoding': 'chunked',
    }));
    assert.deepEqual(data.headers, { 'X-Api-Key': 'k', 'User-Agent': 'ua', 'X-Custom-Thing': 'a', 'Set-Cookie': 'a=1, b=2' });
  });

  it('keeps query values as arrays and the path decoded', () => {
    const data = httpData(request({}, '', {
      method: 'GET', path: '/a%20b/c', decodedPath: '/a b/c', query: { q: ['1', '2'], x: [''] },
    }));
    assert.deepEqual(data.query, { q: ['1', '2'], x: [''] });
    assert.equal(data.path, '/a b/c');
    assert.equal(data.method, 'GET');
  });

  it('keeps JSON arrays and scalars as JSON (§19 fix)', () => {
    assert.deepEqual(httpData(request({ 'content-type': 'application/json' }, '[1,"two",null]')).body, [1, 'two', null]);
    assert.equal(httpData(request({ 'content-type': 'application/json' }, '42')).body, 42);
    assert.equal(httpData(request({ 'content-type': 'application/json' }, '"s"')).body, 's');
    assert.deepEqual(httpData(request({ 'content-type': 'application/vnd.api+json' }, '{"a":1}')).body, { a: 1 });
  });

  it('recognises JSON with a charset parameter (§19 fix)', () => {
    const data = httpData(request({ 'content-type': 'application/json; charset=utf-8' }, '{"a":1}'));
    assert.deepEqual(data.body, { a: 1 });
    assert.equal(data.headers['Content-Type'], 'application/json; charset=utf-8');
  });

  it('keeps an unparseable JSON body as a UTF-8 string', () => {
    assert.equal(httpData(request({ 'content-type': 'application/json' }, '{"a":')).body, '{"a":');
  });

  it('passes form bodies as UTF-8 strings', () => {
    assert.equal(httpData(request({ 'content-type': 'application/x-www-form-urlencoded' }, 'a=1&b=é')).body, 'a=1&b=é');
    const multipart = '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--';
    assert.equal(httpData(request({ 'content-type': 'multipart/form-data; boundary=x' }, multipart)).body, multipart);
  });

  it('sends other bytes as base64, and a missing Content-Type means octet-stream', () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    assert.equal(httpData(request({ 'content-type': 'application/octet-stream' }, bytes)).body, 'AAEC/w==');
    assert.equal(httpData(request({}, 'hello')).body, 'aGVsbG8=');
    assert.equal(httpData(request({ 'content-type': 'text/plain' }, 'hello')).body, 'aGVsbG8=');
  });

  it('gives "" for an empty body', () => {
    assert.equal(httpData(request({ 'content-type': 'application/json' })).body, '');
    assert.equal(httpData(request({})).body, '');
  });

  it('rejects a malformed Content-Type with Go-style messages', () => {
    rejects(request({ 'content-type': 'text/plain; charset' }, 'x'), 'mime: invalid media parameter', 'GW_ERR_BAD_MEDIA_TYPE');
    rejects(request({ 'content-type': 'text/plain; a=b c' }, 'x'), 'mime: invalid media parameter', 'GW_ERR_BAD_MEDIA_TYPE');
    rejects(request({ 'content-type': 'text/' }, 'x'), 'mime: expected token after slash', 'GW_ERR_BAD_MEDIA_TYPE');
    rejects(request({ 'content-type': 'text@json' }, 'x'), 'mime: expected slash after first token', 'GW_ERR_BAD_MEDIA_TYPE');
    rejects(request({ 'content-type': 'text/plain x' }, 'x'), 'mime: unexpected content after media subtype', 'GW_ERR_BAD_MEDIA_TYPE');
  });

  it('accepts what Go accepts: a trailing semicolon, an empty or type-less header', () => {
    assert.deepEqual(httpData(request({ 'content-type': 'application/json;' }, '{"a":1}')).body, { a: 1 });
    assert.equal(httpData(request({ 'content-type': '' }, 'hi')).body, 'aGk=');
    assert.equal(httpData(request({ 'content-type': '; charset=utf-8' }, 'hi')).body, 'aGk=');
  });
});

describe('receive: httpRequestData', () => {
  it('builds the data with params, and body null without the body (authorizer payload)', () => {
    const req = request({ 'content-type': 'application/json' }, '{"a":1}', { path: '/u/1', decodedPath: '/u/1' });
    assert.deepEqual(httpRequestData(req, { id: '1' }).params, { id: '1' });
    assert.deepEqual(httpRequestData(req, null).body, { a: 1 });
    const noBody = httpRequestData(req, null, false);
    assert.equal(noBody.body, null);
    assert.equal(JSON.stringify(noBody).includes('"body":null'), true);
  });
});

describe('receive: legacy Event header', () => {
  const valid = '{"eventType":"user.created","cloudEventsVersion":"0.1","source":"https://example.com/","eventID":"e1","contentType":"text/plain","data":"test"}';

  it('uses a full, valid 0.1 event in an application/json body; its eventType wins', () => {
    const { events, specVersion } = parseRequest(request({ event: 'user.deleted', 'content-type': 'application/json' }, valid), V1);
    assert.equal(specVersion, '0.1');
    assert.deepEqual(events[0], {
      specversion: '0.1', id: 'e1', source: 'https://example.com/', type: 'user.created', datacontenttype: 'text/plain', data: 'test',
    });
  });

  it('makes a new event of the header type when the body is not a valid event (0.1 envelope)', () => {
    const body = '{"eventType":"user.created","cloudEventsVersion":"0.1"}';
    const { events, specVersion } = parseRequest(request({ event: 'user.created', 'content-type': 'application/json' }, body), V01);
    assert.equal(specVersion, '0.1');
    const [event] = events;
    assert.equal(event?.type, 'user.created');
    assert.equal(event?.source, GATEWAY_EVENT_SOURCE);
    assert.equal(event?.datacontenttype, 'application/json');
    assert.deepEqual(event?.data, { eventType: 'user.created', cloudEventsVersion: '0.1' });
    assert.deepEqual(event?.['extensions'], { eventgateway: { transformed: 'true', 'transformation-version': '0.1' } });
  });

  it('uses the parsed mime as content type and normalises the body per §4.3 with the 0.1 envelope', () => {
    const [text] = parseRequest(request({ event: 'a.b', 'content-type': 'text/plain; charset=utf-8' }, 'hi'), V01).events;
    assert.equal(text?.datacontenttype, 'text/plain');
    assert.equal(text?.data, 'aGk=');
    const [empty] = parseRequest(request({ event: 'a.b' }), V01).events;
    assert.equal(empty?.datacontenttype, 'application/octet-stream');
    assert.equal(empty?.data, '');
    const [json] = parseRequest(request({ event: 'a.b', 'content-type': 'application/json' }, '[1]'), V01).events;
    assert.deepEqual(json?.data, [1]);
  });

  it('uses 1.0 data rules with the 1.0 envelope: text as string, bytes as data_base64', () => {
    const [text] = parseRequest(request({ event: 'a.b', 'content-type': 'text/plain' }, 'hi'), V1).events;
    assert.equal(text?.specversion, '1.0');
    assert.equal(text?.data, 'hi');
    assert.equal(text?.['extensions'], undefined);
    const [bytes] = parseRequest(request({ event: 'a.b', 'content-type': 'application/octet-stream' }, 'hi'), V1).events;
    assert.equal(bytes?.data, undefined);
    assert.equal(bytes?.data_base64, 'aGk=');
    const [form] = parseRequest(request({ event: 'a.b', 'content-type': 'application/x-www-form-urlencoded' }, 'a=1'), V1).events;
    assert.equal(form?.data, 'a=1');
  });

  it('does not read a 0.1 event from a non-JSON media type', () => {
    const [event] = parseRequest(request({ event: 'x.y', 'content-type': 'text/plain' }, valid), V01).events;
    assert.equal(event?.type, 'x.y');
  });
});

describe('receive: newGatewayEvent', () => {
  it('makes 0.1 events like the original event.New', () => {
    const event = newGatewayEvent('eventgateway.event.received', { a: 1 }, { envelope: '0.1', contentType: 'application/json' });
    assert.equal(event.specversion, '0.1');
    assert.equal(event.source, GATEWAY_EVENT_SOURCE);
    assert.match(event.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(!Number.isNaN(Date.parse(event.time ?? '')));
    assert.deepEqual(event['extensions'], { eventgateway: { transformed: 'true', 'transformation-version': '0.1' } });
    assert.deepEqual(event.data, { a: 1 });
  });

  it('makes 1.0 events with the given attributes and no extensions', () => {
    const event = newGatewayEvent('t', 'x', { envelope: '1.0', id: 'i', time: 't0', source: '/s', contentType: 'text/plain' });
    assert.deepEqual(event, { specversion: '1.0', id: 'i', source: '/s', type: 't', time: 't0', datacontenttype: 'text/plain', data: 'x' });
    assert.equal('data' in newGatewayEvent('t', undefined, { envelope: '1.0' }), false);
  });
});
