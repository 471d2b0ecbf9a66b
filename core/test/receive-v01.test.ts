import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goIsURI, goParseTimeError } from '../src/receive/go-compat.ts';
import { canonicalHeaderKey, parseRequest } from '../src/receive/index.ts';
import { V01, V1, rejects, request } from './receive-helpers.ts';

const STRUCTURED = { 'content-type': 'application/cloudevents+json' };
const valid = { eventType: 'user.created', cloudEventsVersion: '0.1', source: 'https://example.com/', eventID: 'e1' };
const tag = (field: string, t: string) => `Key: 'Event.${field}' Error:Field validation for '${field}' failed on the '${t}' tag`;
const fails = (body: unknown, message: string | RegExp) => rejects(request(STRUCTURED, JSON.stringify(body)), message);

describe('receive: CloudEvents 0.1 structured', () => {
  it('maps a 0.1 event into the 1.0 shape of event.ts', () => {
    const body = {
      ...valid, eventTypeVersion: '1.0', eventTime: '2018-04-05T17:31:00Z', schemaURL: 'https://s/', extensions: { a: { b: 1 } },
      contentType: 'application/json', data: [1, 2],
    };
    const received = parseRequest(request(STRUCTURED, JSON.stringify(body)), V1);
    assert.equal(received.specVersion, '0.1');
    assert.deepEqual(received.events[0], {
      specversion: '0.1', id: 'e1', source: 'https://example.com/', type: 'user.created', eventtypeversion: '1.0',
      time: '2018-04-05T17:31:00Z', dataschema: 'https://s/', extensions: { a: { b: 1 } }, datacontenttype: 'application/json', data: [1, 2],
    });
  });

  it('matches keys case-insensitively, as Go does (eventId == eventID)', () => {
    const body = { eventtype: 'a', CLOUDEVENTSVERSION: '0.1', Source: '/x', eventId: '1', unknown: 'ignored' };
    const [event] = parseRequest(request(STRUCTURED, JSON.stringify(body)), V1).events;
    assert.deepEqual(event, { specversion: '0.1', id: '1', source: '/x', type: 'a' });
  });

  it('holds any cloudEventsVersion as specversion "0.1" (event.ts contract)', () => {
    const [event] = parseRequest(request(STRUCTURED, JSON.stringify({ ...valid, cloudEventsVersion: '0.1.0' })), V1).events;
    assert.equal(event?.specversion, '0.1');
  });

  it('reports validation errors with the original text', () => {
    fails({ eventType: 'user.created' },
      `CloudEvent doesn't validate: ${tag('CloudEventsVersion', 'required')}\n${tag('Source', 'uri')}\n${tag('EventID', 'required')}`);
    fails({ ...valid, source: 'NOT URI' }, `CloudEvent doesn't validate: ${tag('Source', 'uri')}`);
    fails({ ...valid, source: 'myapp' }, `CloudEvent doesn't validate: ${tag('Source', 'uri')}`);
    fails({ ...valid, eventType: '' }, `CloudEvent doesn't validate: ${tag('EventType', 'required')}`);
  });

  it('reports a bad eventTime with Go\'s time parse error', () => {
    fails({ ...valid, eventTime: 'nottime' },
      'parsing time "\\"nottime\\"" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "nottime\\"" as "2006"');
    fails({ ...valid, eventTime: '2018-13-01T00:00:00Z' }, 'parsing time "\\"2018-13-01T00:00:00Z\\"": month out of range');
    fails({ ...valid, eventTime: 5 }, 'parsing time "5" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "5" as "\\""');
  });

  it('accepts a leap second (the README example the original rejects)', () => {
    const [event] = parseRequest(request(STRUCTURED, JSON.stringify({ ...valid, eventTime: '1990-12-31T23:59:60Z' })), V1).events;
    assert.equal(event?.time, '1990-12-31T23:59:60Z');
  });

  it('reports wrong JSON types like Go\'s decoder', () => {
    fails({ ...valid, eventType: 5 }, 'json: cannot unmarshal number into Go struct field Event.eventType of type string');
    fails({ ...valid, extensions: [1] }, 'json: cannot unmarshal array into Go struct field Event.extensions of type map[string]interface {}');
  });
});

describe('receive: CloudEvents 0.1 binary', () => {
  const ce = { 'ce-eventtype': 'user.created', 'ce-cloudeventsversion': '0.1', 'ce-source': '/src', 'ce-eventid': 'e1' };

  it('reads the CE- headers, the raw Content-Type and the normalised body', () => {
    const headers = {
      ...ce, 'ce-eventtypeversion': '2', 'ce-eventtime': '2018-04-05T17:31:00Z', 'ce-schemaurl': 'https://s/',
      'content-type': 'application/json; charset=utf-8',
    };
    const received = parseRequest(request(headers, '[1]'), V1);
    assert.equal(received.specVersion, '0.1');
    assert.deepEqual(received.events[0], {
      specversion: '0.1', id: 'e1', source: '/src', type: 'user.created', eventtypeversion: '2', time: '2018-04-05T17:31:00Z',
      dataschema: 'https://s/', datacontenttype: 'application/json; charset=utf-8', data: [1],
    });
  });

  it('names CE-X- extensions from Go\'s canonical header names, stripping the exact prefix', () => {
    const headers = { ...ce, 'ce-x-myextension': 'a', 'ce-x-xtra': 'b', 'ce-x-my-ext': 'c', 'ce-x-': 'ignored' };
    const [event] = parseRequest(request(headers), V1).events;
    assert.deepEqual(event?.['extensions'], { 'my-Ext': 'c', myextension: 'a', xtra: 'b' });
  });

  it('normalises data per §4.3: base64 for text and bytes, "" when empty', () => {
    assert.equal(parseRequest(request({ ...ce, 'content-type': 'text/plain' }, 'hi'), V1).events[0]?.data, 'aGk=');
    assert.equal(parseRequest(request(ce), V1).events[0]?.data, '');
    assert.equal(parseRequest(request({ ...ce, 'content-type': 'application/x-www-form-urlencoded' }, 'a=1'), V1).events[0]?.data, 'a=1');
  });

  it('needs all four headers, validates like structured mode, and rejects bad times and JSON', () => {
    const [http] = parseRequest(request({ ...ce, 'ce-eventid': undefined }), V01).events;
    assert.equal(http?.type, 'http.request');
    rejects(request({ ...ce, 'ce-source': 'myapp' }), `CloudEvent doesn't validate: ${tag('Source', 'uri')}`);
    rejects(request({ ...ce, 'ce-eventtime': 'x' }), 'parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"');
    rejects(request({ ...ce, 'content-type': 'application/json' }, '{'), /^request body is not valid JSON/);
  });

  it('gives way to a 1.0 ce-specversion header', () => {
    const headers = { ...ce, 'ce-specversion': '1.0', 'ce-id': '1', 'ce-type': 't' };
    const received = parseRequest(request(headers), V01);
    assert.equal(received.specVersion, '1.0');
    assert.equal(received.events[0]?.type, 't');
  });
});

describe('receive: Go compatibility helpers', () => {
  it('canonicalises header names as textproto does', () => {
    assert.equal(canonicalHeaderKey('x-api-key'), 'X-Api-Key');
    assert.equal(canonicalHeaderKey('content-type'), 'Content-Type');
    assert.equal(canonicalHeaderKey('ce-x-myextension'), 'Ce-X-Myextension');
    assert.equal(canonicalHeaderKey('WWW-authenticate'), 'Www-Authenticate');
    assert.equal(canonicalHeaderKey('a--b-'), 'A--B-');
  });

  it('replicates url.ParseRequestURI for the uri tag', () => {
    for (const ok of ['/', '/a b', 'https://example.com/', 'http://a:80/x?y', 'mailto:a@b.c', 'urn:x', '*', 'https://serverless.com/event-gateway/#transformationVersion=0.1']) {
      assert.equal(goIsURI(ok), true, ok);
    }
    for (const bad of ['', 'myapp', 'NOT URI', ':x', '#frag', 'http://a b/', 'http://a:x/', '/%zz', 'a\nb']) {
      assert.equal(goIsURI(bad), false, bad);
    }
  });

  it('replicates time.Parse(RFC3339) errors', () => {
    assert.equal(goParseTimeError('2018-04-05T17:31:00.5+02:00', false), undefined);
    assert.equal(goParseTimeError('2018-04-05 17:31:00Z', false),
      'parsing time "2018-04-05 17:31:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 17:31:00Z" as "T"');
    assert.equal(goParseTimeError('2018-02-30T00:00:00Z', false), 'parsing time "2018-02-30T00:00:00Z": day out of range');
    assert.equal(goParseTimeError('2018-01-01T24:00:00Z', false), 'parsing time "2018-01-01T24:00:00Z": hour out of range');
    assert.equal(goParseTimeError('2018-01-01T00:00:00Zjunk', false), 'parsing time "2018-01-01T00:00:00Zjunk": extra text: junk');
    assert.equal(goParseTimeError('2018-01-01T00:00:00+0200', false),
      'parsing time "2018-01-01T00:00:00+0200" as "2006-01-02T15:04:05Z07:00": cannot parse "+0200" as "Z07:00"');
    assert.equal(goParseTimeError('é', false), 'parsing time "\\xc3\\xa9" as "2006-01-02T15:04:05Z07:00": cannot parse "\\xc3\\xa9" as "2006"');
  });
});
