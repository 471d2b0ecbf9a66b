import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { builtinProviderValidators, validateFunction } from '../src/config/functions.ts';
import { goQuote, isGoUrl } from '../src/config/go-format.ts';
import { decodeGoJson, encodeGoJson } from '../src/config/go-json.ts';
import { validateCors, validateEventType, validateSubscription } from '../src/config/validate.ts';
import type { ProviderConfigValidator } from '../src/provider.ts';

const bytes = (s: string | Buffer): Buffer => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s);

describe('decodeGoJson: Go json.Decoder errors', () => {
  const cases: [input: string | Buffer, error: string][] = [
    ['', 'EOF'],
    [' \n\t ', 'EOF'],
    ['{', 'unexpected EOF'],
    ['{"name":', 'unexpected EOF'],
    ['{"name":"x"', 'unexpected EOF'],
    ['-', 'unexpected EOF'],
    ['tru', 'unexpected EOF'],
    ['x', "invalid character 'x' looking for beginning of value"],
    ['{x', "invalid character 'x' looking for beginning of object key string"],
    ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
    ['[1 2]', "invalid character '2' after array element"],
    ['[1,]', "invalid character ']' looking for beginning of value"],
    ['{"a":tru}', "invalid character '}' in literal true (expecting 'e')"],
    ['{"a":nul}', "invalid character '}' in literal null (expecting 'l')"],
    ['{"a":fx}', "invalid character 'x' in literal false (expecting 'a')"],
    ['{"a":-x}', "invalid character 'x' in numeric literal"],
    ['{"a":1.}', "invalid character '}' after decimal point in numeric literal"],
    ['{"a":1e}', "invalid character '}' in exponent of numeric literal"],
    ['{"a":"\\q"}', "invalid character 'q' in string escape code"],
    ['{"a":"\\u12x4"}', "invalid character 'x' in \\u hexadecimal character escape"],
    ['{"a":"\n"}', "invalid character '\\n' in string literal"],
    ['{"a":"\u0001"}', "invalid character '\\x01' in string literal"],
    [Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), "invalid character 'ï' looking for beginning of value"],
    ['['.repeat(1_001), "invalid character '[' exceeded max depth"], // core's bound (json-depth.ts), not Go's 10,000
  ];
  for (const [input, error] of cases) {
    test(JSON.stringify(String(input).slice(0, 20)), () => assert.deepEqual(decodeGoJson(bytes(input)), { ok: false, error }));
  }

  test('only the first value counts; trailing bytes are ignored', () => {
    assert.deepEqual(decodeGoJson(bytes('{"a":1}xyz')), { ok: true, value: { a: 1 } });
    assert.deepEqual(decodeGoJson(bytes('12abc')), { ok: true, value: 12 });
    assert.deepEqual(decodeGoJson(bytes('"s"  ')), { ok: true, value: 's' });
    assert.deepEqual(decodeGoJson(bytes(' null')), { ok: true, value: null });
  });

  test('invalid UTF-8 in strings becomes U+FFFD, deep nesting within the limit parses', () => {
    assert.deepEqual(decodeGoJson(Buffer.from([0x22, 0xff, 0x22])), { ok: true, value: '\ufffd' });
    assert.equal(decodeGoJson(bytes(`${'['.repeat(1000)}${']'.repeat(1000)}`)).ok, true);
  });
});

describe('encodeGoJson: json.Encoder output', () => {
  test('trailing newline and Go escapes', () => {
    assert.equal(encodeGoJson({ a: '<&>\u2028\u2029\b\f\\b' }), '{"a":"\\u003c\\u0026\\u003e\\u2028\\u2029\\u0008\\u000c\\\\b"}\n');
  });
});

describe('goQuote (%q)', () => {
  test('quotes and escapes like strconv.Quote', () => {
    assert.equal(goQuote('GET%2Ftest'), '"GET%2Ftest"');
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goQuote('\n\t\u0001\u007f'), '"\\n\\t\\x01\\x7f"');
    assert.equal(goQuote('é😀\u200b'), '"é😀\\u200b"');
  });
});

describe('isGoUrl (validator `url` tag)', () => {
  const valid = ['http://example.com', 'https://a.b/c?d=e#f', 'http://localhost:3000/x', 'localhost:3000', 'mailto:a@b.c', 'http://u:p@h/', 'http://[::1]:80/', 'http://', 'http://h/%41'];
  const invalid = ['', 'example.com', '/path', '#frag', ':x', 'http://a b', 'http://h:port/', 'http://h/%zz', 'http://h%00/', 'ht tp://x', 'http://x\n', 'http://[::1', 'http://a{b/'];
  for (const url of valid) test(`valid ${url}`, () => assert.equal(isGoUrl(url), true));
  for (const url of invalid) test(`invalid ${JSON.stringify(url)}`, () => assert.equal(isGoUrl(url), false));
});

describe('JSON decoding into resources', () => {
  const fails = (fn: () => unknown, message: string): void => assert.throws(fn, { name: 'GatewayError', code: 'GW_ERR_VALIDATION', status: 400, message });
  const ET = "Event Type doesn't validate. Validation error: ";
  test('wrong types name the Go struct field', () => {
    fails(() => validateEventType({ name: 1 }, 'default'), `${ET}json: cannot unmarshal number into Go struct field Type.name of type event.TypeName`);
    fails(() => validateEventType({ name: 'a', metadata: { k: 1 } }, 'default'), `${ET}json: cannot unmarshal number into Go struct field Type.metadata of type string`);
    fails(() => validateEventType({ name: 'a', metadata: 'x' }, 'default'), `${ET}json: cannot unmarshal string into Go struct field Type.metadata of type metadata.Metadata`);
    fails(() => validateEventType([], 'default'), `${ET}json: cannot unmarshal array into Go value of type event.Type`);
    fails(() => validateCors({ method: 'GET', path: '/', allowedOrigins: 'x' }, 'default'),
      "CORS configuration doesn't validate. Validation error: json: cannot unmarshal string into Go struct field CORS.allowedOrigins of type []string");
    fails(() => validateCors({ method: 'GET', path: '/', allowCredentials: 'yes' }, 'default'),
      "CORS configuration doesn't validate. Validation error: json: cannot unmarshal string into Go struct field CORS.allowCredentials of type bool");
    fails(() => validateSubscription({ type: true }, 'default'),
      "Subscription doesn't validate. Validation error: json: cannot unmarshal bool into Go struct field Subscription.type of type subscription.Type");
  });

  test('keys match case-insensitively, unknown keys are ignored, null leaves a field unset', () => {
    const sub = validateSubscription({ TYPE: 'async', EventType: 'e', functionID: 'f', Path: 'x', extra: [1], metadata: null }, 'default');
    assert.deepEqual(sub, { space: 'default', subscriptionId: sub.subscriptionId, type: 'async', eventType: 'e', functionId: 'f', path: '/x', method: 'POST' });
    assert.deepEqual(validateEventType({ Name: 'a', AUTHORIZERID: 'f', authorizerId: null }, 'default'), { space: 'default', name: 'a', authorizerId: 'f' });
    assert.deepEqual(validateEventType({ name: 'a', authorizerId: undefined, metadata: { k: undefined } }, 'default'), { space: 'default', name: 'a', metadata: { k: '' } });
  });

  test('metadata: sorted on output, omitted when empty, __proto__ kept as data', () => {
    const et = validateEventType(JSON.parse('{"name":"a","metadata":{"b":"2","a":"1","__proto__":"x"}}'), 'default');
    assert.deepEqual(Object.keys(et.metadata ?? {}), ['__proto__', 'a', 'b']);
    assert.equal(Object.getPrototypeOf(et.metadata), Object.prototype);
    assert.equal('metadata' in validateEventType({ name: 'a', metadata: {} }, 'default'), false);
  });

  test('a top-level null is an empty struct', () => {
    fails(() => validateEventType(null, 'default'), `${ET}Key: 'Type.Name' Error:Field validation for 'Name' failed on the 'required' tag`);
  });
});

describe('validateFunction', () => {
  const FN = "Function doesn't validate. Validation error: ";
  const none = new Map<string, ProviderConfigValidator>();
  const fails = (body: unknown, message: string, providers = none): void =>
    assert.throws(() => validateFunction(body, 'default', undefined, providers), { status: 400, message: FN + message });

  test('decode order: fields, type, provider, provider fields, validator, then id and space', () => {
    fails({ functionId: 5, type: 'nope' }, 'json: cannot unmarshal number into Go struct field functionJSON.functionId of type function.ID');
    fails({ functionId: 'bad id!' }, 'provider configuration not set');
    fails({ functionId: 'bad id!', type: 'nope', provider: {} }, 'provider nope not supported');
    fails({ functionId: 'f', type: 'http' }, 'provider configuration not set');
    fails({ functionId: 'f', type: 'http', provider: null }, 'provider configuration not set');
    fails({ functionId: 'f', type: 'http', provider: 'x' }, 'unable to load function provider config: json: cannot unmarshal string into Go value of type http.HTTP');
    fails({ functionId: 'f', type: 'http', provider: { url: 1 } }, 'unable to load function provider config: json: cannot unmarshal number into Go struct field HTTP.url of type string');
    fails({ functionId: 'bad id!', type: 'http', provider: { url: 'example.com' } }, 'missing required fields for HTTP endpoint');
    fails({ functionId: 'bad id!', type: 'http', provider: { url: 'http://x' } }, "Key: 'Function.ID' Error:Field validation for 'ID' failed on the 'functionid' tag");
    fails({ type: 'http', provider: { url: 'http://x' } }, "Key: 'Function.ID' Error:Field validation for 'ID' failed on the 'required' tag");
  });

  test('the AWS types', () => {
    fails({ functionId: 'f', type: 'awslambda', provider: { arn: 'a' } }, 'missing required fields for AWS Lambda function');
    fails({ functionId: 'f', type: 'awskinesis', provider: { region: 'r' } }, 'missing required fields for AWS Kinesis function');
    fails({ functionId: 'f', type: 'awsfirehose', provider: { region: 'r' } }, 'missing required fields for AWS Firehose function');
    fails({ functionId: 'f', type: 'awssqs', provider: { queueUrl: '', region: 'r' } }, 'missing required fields for AWS SQS function');
    const fn = validateFunction({ functionId: 'f', type: 'awslambda', provider: { region: 'r', ARN: 'a', awsAccessKeyId: '', awsSessionToken: 't', x: 1 } }, 'default', undefined, none);
    assert.deepEqual(fn.provider, { arn: 'a', region: 'r', awsSessionToken: 't', x: 1 });
    assert.deepEqual(Object.keys(fn.provider), ['arn', 'region', 'awsSessionToken', 'x']);
  });

  test('installed providers override and extend the table', () => {
    const providers = new Map<string, ProviderConfigValidator>([
      ['http', (c) => (typeof c['url'] === 'string' && c['url'].startsWith('https:') ? undefined : 'https only')],
      ['nats', (c) => (c['subject'] ? undefined : 'missing subject')],
      ['boom', () => { throw new Error('kaput'); }],
    ]);
    fails({ functionId: 'f', type: 'http', provider: { url: 'http://x' } }, 'https only', providers);
    fails({ functionId: 'f', type: 'nats', provider: {} }, 'missing subject', providers);
    fails({ functionId: 'f', type: 'nats', provider: [] }, 'unable to load function provider config: json: cannot unmarshal array into Go value of type nats', providers);
    fails({ functionId: 'f', type: 'boom', provider: {} }, 'unable to load function provider config: kaput', providers);
    assert.deepEqual(validateFunction({ functionId: 'f', type: 'nats', provider: { subject: 's' } }, 'default', undefined, providers).provider, { subject: 's' });
    assert.equal(builtinProviderValidators.get('http')?.({ url: 'http://x' }), undefined);
  });
});
