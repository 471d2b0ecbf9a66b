import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeStructured } from '../src/encode.ts';
import { parseRequest } from '../src/receive/index.ts';
import { V01, V1, rejects, request } from './receive-helpers.ts';

const STRUCTURED = { 'content-type': 'application/cloudevents+json' };
const BATCH = { 'content-type': 'application/cloudevents-batch+json' };
const base = { specversion: '1.0', id: 'A234-1234-1234', source: '/mycontext', type: 'com.example.someevent' };

function structured(body: unknown, contentType = 'application/cloudevents+json') {
  return parseRequest(request({ 'content-type': contentType }, JSON.stringify(body)), V01);
}
const fails = (body: unknown, message: string | RegExp) => rejects(request(STRUCTURED, JSON.stringify(body)), message);

describe('receive: CloudEvents 1.0 structured', () => {
  it('accepts a full event and keeps it as sent', () => {
    const event = {
      ...base, time: '2018-04-05T17:31:00Z', subject: 'x', dataschema: 'https://example.com/s.json',
      comexampleextension1: 'value', comexampleothervalue: 5, flag: true, datacontenttype: 'application/json', data: { a: [1] },
    };
    const { events, specVersion, batch } = structured(event);
    assert.equal(specVersion, '1.0');
    assert.equal(batch, false);
    assert.deepEqual(events, [event]);
  });

  it('accepts charset parameters, JSON arrays and scalars as data, data_base64', () => {
    assert.deepEqual(structured({ ...base, data: [1, 2] }, 'application/cloudevents+json; charset=UTF-8').events[0]?.data, [1, 2]);
    assert.equal(structured({ ...base, data: 'just a string' }).events[0]?.data, 'just a string');
    assert.equal(structured({ ...base, data: null }).events[0]?.data, null);
    assert.equal(structured({ ...base, data_base64: 'AAEC/w==' }).events[0]?.data_base64, 'AAEC/w==');
  });

  it('accepts leap seconds, offsets and fractions in time', () => {
    for (const time of ['1990-12-31T23:59:60Z', '2018-04-05T17:31:00.123456789+02:00', '2018-04-05t17:31:00z']) {
      assert.equal(structured({ ...base, time }).events[0]?.time, time);
    }
  });

  it('treats null attributes as absent', () => {
    const [event] = structured({ ...base, subject: null, unset: null }).events;
    assert.deepEqual(event, base);
  });

  it('names every missing required attribute', () => {
    fails({ specversion: '1.0', id: '1', type: 't' }, 'CloudEvent doesn\'t validate: missing required attribute "source"');
    fails({ specversion: '1.0' },
      'CloudEvent doesn\'t validate: missing required attribute "id"; missing required attribute "source"; missing required attribute "type"');
    fails({ ...base, id: '' }, 'CloudEvent doesn\'t validate: attribute "id" must be a non-empty string');
    fails({ ...base, type: 5 }, 'CloudEvent doesn\'t validate: attribute "type" must be a non-empty string');
  });

  it('validates source, dataschema, time, subject and datacontenttype', () => {
    fails({ ...base, source: 'not a uri' }, 'CloudEvent doesn\'t validate: attribute "source" is not a URI-reference: "not a uri"');
    fails({ ...base, dataschema: '/relative' }, 'CloudEvent doesn\'t validate: attribute "dataschema" is not an absolute URI: "/relative"');
    fails({ ...base, time: 'yesterday' }, 'CloudEvent doesn\'t validate: attribute "time" is not an RFC 3339 timestamp: "yesterday"');
    fails({ ...base, time: '2018-02-30T00:00:00Z' }, /attribute "time" is not an RFC 3339 timestamp/);
    fails({ ...base, time: '2018-01-01T00:00:61Z' }, /attribute "time" is not an RFC 3339 timestamp/);
    fails({ ...base, subject: '' }, 'CloudEvent doesn\'t validate: attribute "subject" must be a non-empty string');
    fails({ ...base, datacontenttype: 1 }, 'CloudEvent doesn\'t validate: attribute "datacontenttype" must be a non-empty string');
    for (const source of ['urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66', '1-555-123-4567', 'mailto:a@b.c', 'myapp']) {
      assert.equal(structured({ ...base, source }).events[0]?.source, source);
    }
  });

  it('validates extension names and values, and data vs data_base64', () => {
    fails({ ...base, fooBar: 'x' },
      'CloudEvent doesn\'t validate: invalid attribute name "fooBar": names must be lower-case letters a-z and digits 0-9');
    fails({ ...base, 'foo-bar': 'x' }, /invalid attribute name "foo-bar"/);
    fails({ ...base, ext: { a: 1 } }, 'CloudEvent doesn\'t validate: extension attribute "ext" must be a string, a boolean or an integer');
    fails({ ...base, ext: 1.5 }, /extension attribute "ext"/);
    fails({ ...base, data: 1, data_base64: 'AA==' }, 'CloudEvent doesn\'t validate: "data" and "data_base64" are mutually exclusive');
    fails({ ...base, data_base64: 'not base64!' }, 'CloudEvent doesn\'t validate: attribute "data_base64" is not valid base64');
    // a long name is only a SHOULD: accepted
    assert.equal(structured({ ...base, averyveryverylongextensionname: 'x' }).events[0]?.['averyveryverylongextensionname'], 'x');
  });

  it('rejects other spec versions, malformed JSON, non-objects and bodies that are neither 1.0 nor 0.1', () => {
    fails({ ...base, specversion: '0.3' }, 'unsupported CloudEvents specversion "0.3"');
    fails({ ...base, specversion: 1 }, 'unsupported CloudEvents specversion 1');
    rejects(request(STRUCTURED, '{"specversion":'), /^CloudEvent doesn't validate: invalid JSON: /);
    rejects(request(STRUCTURED, ''), 'CloudEvent doesn\'t validate: unexpected end of JSON input');
    fails([base], 'CloudEvent doesn\'t validate: a structured CloudEvent must be a JSON object');
    fails({ foo: 1 },
      'CloudEvent doesn\'t validate: missing "specversion" (CloudEvents 1.0) or "cloudEventsVersion" (CloudEvents 0.1)');
  });
});

describe('receive: CloudEvents 1.0 batch', () => {
  it('reads every event of the array', () => {
    const events = [{ ...base, id: '1' }, { ...base, id: '2', data_base64: 'AA==' }];
    const received = parseRequest(request(BATCH, JSON.stringify(events)), V01);
    assert.deepEqual(received, { events, specVersion: '1.0', batch: true });
  });

  it('accepts an empty batch (JSON format §4.3)', () => {
    assert.deepEqual(parseRequest(request(BATCH, '[]'), V1), { events: [], specVersion: '1.0', batch: true });
  });

  it('names the failing item', () => {
    const body = JSON.stringify([base, { ...base, source: undefined }]);
    rejects(request(BATCH, body), 'CloudEvent doesn\'t validate: batch item 1: missing required attribute "source"');
    rejects(request(BATCH, JSON.stringify([base, { id: 'x' }])), 'CloudEvent doesn\'t validate: batch item 1: missing required attribute "specversion"');
    rejects(request(BATCH, JSON.stringify([{ ...base, specversion: '0.3' }])), 'unsupported CloudEvents specversion "0.3"');
    rejects(request(BATCH, JSON.stringify(base)), 'CloudEvent doesn\'t validate: a CloudEvents batch must be a JSON array');
    rejects(request(BATCH, JSON.stringify([1])), 'CloudEvent doesn\'t validate: batch item 0: a CloudEvent must be a JSON object');
  });
});

describe('receive: CloudEvents 1.0 binary', () => {
  const ce = { 'ce-specversion': '1.0', 'ce-id': 'B234', 'ce-source': '/mycontext', 'ce-type': 'com.example.someevent' };

  it('reads attributes from ce- headers (percent-decoded) and JSON data from the body', () => {
    const headers = { ...ce, 'ce-time': '2018-04-05T17:31:00Z', 'ce-comexampleextension1': 'a%20value%C3%A9', 'content-type': 'application/json; charset=utf-8' };
    const received = parseRequest(request(headers, '[1,{"a":2}]'), V01);
    assert.equal(received.specVersion, '1.0');
    assert.deepEqual(received.events[0], {
      specversion: '1.0', id: 'B234', source: '/mycontext', type: 'com.example.someevent', time: '2018-04-05T17:31:00Z',
      comexampleextension1: 'a valueé', datacontenttype: 'application/json; charset=utf-8', data: [1, { a: 2 }],
    });
  });

  it('keeps text as a string and other bytes as data_base64; no body means no data', () => {
    assert.equal(parseRequest(request({ ...ce, 'content-type': 'application/xml' }, '<a/>'), V1).events[0]?.data, '<a/>');
    const [bytes] = parseRequest(request({ ...ce, 'content-type': 'application/vnd.apache.thrift.binary' }, Buffer.from([1, 2])), V1).events;
    assert.equal(bytes?.data_base64, 'AQI=');
    assert.equal(bytes?.data, undefined);
    const [untyped] = parseRequest(request(ce, 'hi'), V1).events;
    assert.equal(untyped?.data_base64, 'aGk=');
    assert.equal(untyped?.datacontenttype, undefined);
    const [empty] = parseRequest(request(ce), V1).events;
    assert.equal('data' in (empty ?? {}), false);
  });

  it('rejects missing attributes, malformed JSON, bad names and other versions', () => {
    rejects(request({ ...ce, 'ce-id': undefined }), 'CloudEvent doesn\'t validate: missing required attribute "id"');
    rejects(request({ ...ce, 'content-type': 'application/json' }, '{oops'), /^request body is not valid JSON \(Content-Type application\/json\): /);
    rejects(request({ ...ce, 'ce-my-ext': 'x' }), /invalid attribute name "my-ext"/);
    rejects(request({ ...ce, 'ce-ext': '%E0%A4%A' }), 'CloudEvent doesn\'t validate: header "ce-ext" has an invalid percent-encoding');
    rejects(request({ ...ce, 'ce-specversion': '0.3' }), 'unsupported CloudEvents specversion "0.3"');
  });
});

describe('receive: round trips through encodeStructured', () => {
  it('keeps 1.0 events 1.0', () => {
    const event = { ...base, time: '2018-04-05T17:31:00Z', ext: 'x', datacontenttype: 'application/json', data: { a: 1 } };
    const { events, specVersion } = structured(event);
    const encoded = encodeStructured(events[0] ?? base, specVersion);
    assert.deepEqual(JSON.parse(encoded.body), event);
  });

  it('encodes 0.1 events back with the original field order', () => {
    const body = '{"data":{"a":1},"contentType":"application/json","extensions":{"x":{"y":"z"}},"schemaURL":"https://s/",'
      + '"eventTime":"2018-04-05T17:31:00Z","eventID":"e1","source":"/src","cloudEventsVersion":"0.1","eventTypeVersion":"2","eventType":"t"}';
    const { events, specVersion } = parseRequest(request(STRUCTURED, body), V1);
    assert.equal(specVersion, '0.1');
    const encoded = encodeStructured(events[0] ?? base, specVersion);
    assert.equal(encoded.body, '{"eventType":"t","eventTypeVersion":"2","cloudEventsVersion":"0.1","source":"/src","eventID":"e1",'
      + '"eventTime":"2018-04-05T17:31:00Z","schemaURL":"https://s/","extensions":{"x":{"y":"z"}},"contentType":"application/json","data":{"a":1}}');
  });

  it('encodes gateway-made 0.1 events like the original event.New', () => {
    const { events, specVersion } = parseRequest(request({ 'content-type': 'application/json' }, '{"a":1}'), V01);
    const encoded = JSON.parse(encodeStructured(events[0] ?? base, specVersion).body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(encoded), ['eventType', 'cloudEventsVersion', 'source', 'eventID', 'eventTime', 'extensions', 'contentType', 'data']);
    assert.equal(encoded['cloudEventsVersion'], '0.1');
    assert.equal(encoded['contentType'], 'application/json');
  });
});
