import assert from 'node:assert/strict';
import { after, beforeEach, describe, test } from 'node:test';
import type { ProviderConfigValidator } from '../src/provider.ts';
import { errorText, SPACE, startApi, type TestApi } from './config-helpers.ts';

const FN = "Function doesn't validate. Validation error: ";
const HTTP_FN = { functionId: 'test', type: 'http', provider: { url: 'http://example.com' } };

describe('Config API: functions (reference §3.2)', () => {
  let api: TestApi;
  beforeEach(async () => {
    await api?.close();
    api = await startApi({ providers: new Map<string, ProviderConfigValidator>([['nats', (c) => (c['subject'] ? undefined : 'missing subject')]]) });
  });
  after(() => api.close());

  test('create: 201 with the exact output shape; get; list', async () => {
    const res = await api.request('POST', `${SPACE}/functions`, { ...HTTP_FN, space: 'x', metadata: { owner: 'me' } });
    assert.equal(res.status, 201);
    assert.equal(res.text, '{"space":"default","functionId":"test","type":"http","provider":{"url":"http://example.com"},"metadata":{"owner":"me"}}\n');
    assert.equal((await api.request('GET', `${SPACE}/functions/test`)).text, res.text);
    assert.equal((await api.request('GET', `${SPACE}/functions`)).text, `{"functions":[${res.text.trim()}]}\n`);
  });

  test('create: 409 `Function "test" already registered.`', async () => {
    await api.request('POST', `${SPACE}/functions`, HTTP_FN);
    const res = await api.request('POST', `${SPACE}/functions`, HTTP_FN);
    assert.equal(res.status, 409);
    assert.equal(res.text, errorText('Function "test" already registered.'));
  });

  test('the SDK shape for an AWS Lambda function: empty credentials omitted', async () => {
    const body = { functionId: 'lambda', type: 'awslambda', provider: { arn: 'arn:aws:lambda:us-east-1:1:function:x', region: 'us-east-1', awsAccessKeyId: '', awsSecretAccessKey: '' } };
    const res = await api.request('POST', `${SPACE}/functions`, body);
    assert.equal(res.status, 201);
    assert.deepEqual(res.body, { space: 'default', functionId: 'lambda', type: 'awslambda', provider: { arn: body.provider.arn, region: 'us-east-1' } });
  });

  test('functionID is accepted for functionId (case-insensitive keys)', async () => {
    const res = await api.request('POST', `${SPACE}/functions`, { functionID: 'cased', Type: 'http', PROVIDER: { URL: 'http://example.com' } });
    assert.equal(res.status, 201);
    assert.equal(res.text, '{"space":"default","functionId":"cased","type":"http","provider":{"url":"http://example.com"}}\n');
  });

  test('validation messages, in the original order', async () => {
    const cases: [unknown, string][] = [
      [{ functionId: 'f' }, 'provider configuration not set'],
      [{ functionId: 'f', type: 'ftp', provider: {} }, 'provider ftp not supported'],
      [{ functionId: 'f', type: 'http' }, 'provider configuration not set'],
      [{ functionId: 'f', type: 'http', provider: null }, 'provider configuration not set'],
      [{ functionId: 'f', type: 'http', provider: {} }, 'missing required fields for HTTP endpoint'],
      [{ functionId: 'f', type: 'http', provider: { url: 'not a url' } }, 'missing required fields for HTTP endpoint'],
      [{ functionId: 'f', type: 'http', provider: { url: 'example.com/x' } }, 'missing required fields for HTTP endpoint'],
      [{ functionId: 'f', type: 'http', provider: { url: 7 } }, 'unable to load function provider config: json: cannot unmarshal number into Go struct field HTTP.url of type string'],
      [{ functionId: 'f', type: 'awslambda', provider: { arn: 'a' } }, 'missing required fields for AWS Lambda function'],
      [{ functionId: 'f', type: 'awskinesis', provider: { streamName: 's' } }, 'missing required fields for AWS Kinesis function'],
      [{ functionId: 'f', type: 'awsfirehose', provider: { region: 'r' } }, 'missing required fields for AWS Firehose function'],
      [{ functionId: 'f', type: 'awssqs', provider: { region: 'r' } }, 'missing required fields for AWS SQS function'],
      [{ functionId: 'f', type: 'nats', provider: {} }, 'missing subject'],
      [{ type: 'http', provider: { url: 'http://x.example' } }, "Key: 'Function.ID' Error:Field validation for 'ID' failed on the 'required' tag"],
      [{ functionId: 'a/b', type: 'http', provider: { url: 'http://x.example' } }, "Key: 'Function.ID' Error:Field validation for 'ID' failed on the 'functionid' tag"],
      [{ functionId: 'f', type: 'http', provider: { url: 'http://x.example' }, metadata: { a: 1 } }, 'json: cannot unmarshal number into Go struct field functionJSON.metadata of type string'],
    ];
    for (const [body, message] of cases) {
      const res = await api.request('POST', `${SPACE}/functions`, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.text, errorText(FN + message), JSON.stringify(body));
    }
  });

  test('space validation comes after the provider and joins the id error', async () => {
    const res = await api.request('POST', '/v1/spaces/x!/functions', { functionId: 'a/b', type: 'http', provider: { url: 'http://x.example' } });
    assert.equal(res.text, errorText(`${FN}Key: 'Function.Space' Error:Field validation for 'Space' failed on the 'min' tag\n` +
      "Key: 'Function.ID' Error:Field validation for 'ID' failed on the 'functionid' tag"));
  });

  test('installed providers: a plugin type is accepted with its config as given', async () => {
    const res = await api.request('POST', `${SPACE}/functions`, { functionId: 'n', type: 'nats', provider: { subject: 'a.b', awsSessionToken: '' } });
    assert.equal(res.status, 201);
    assert.deepEqual((res.body as { provider: unknown }).provider, { subject: 'a.b' });
  });

  test('update: id from the URL; 200; 404 `Function "missing-func" not found.`; validation first', async () => {
    await api.request('POST', `${SPACE}/functions`, HTTP_FN);
    const res = await api.request('PUT', `${SPACE}/functions/test`, { functionId: 'other', type: 'http', provider: { url: 'http://new.example' } });
    assert.equal(res.status, 200);
    assert.equal(res.text, '{"space":"default","functionId":"test","type":"http","provider":{"url":"http://new.example"}}\n');
    const missing = await api.request('PUT', `${SPACE}/functions/missing-func`, HTTP_FN);
    assert.equal(missing.status, 404);
    assert.equal(missing.text, errorText('Function "missing-func" not found.'));
    assert.equal((await api.request('PUT', `${SPACE}/functions/missing-func`, { type: 'http' })).status, 400);
  });

  test('get and delete a missing function: 404', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await api.request(method, `${SPACE}/functions/missing-func`);
      assert.equal(res.status, 404);
      assert.equal(res.text, errorText('Function "missing-func" not found.'));
    }
  });

  test('delete order: subscribed (400), then authorizer (400), then 204', async () => {
    await api.request('POST', `${SPACE}/functions`, HTTP_FN);
    await api.request('POST', `${SPACE}/eventtypes`, { name: 'test.event', authorizerId: 'test' });
    await api.request('POST', `${SPACE}/eventtypes`, { name: 'other.event' });
    const sub = await api.request('POST', `${SPACE}/subscriptions`, { type: 'async', eventType: 'other.event', functionId: 'test' });
    assert.equal(sub.status, 201);
    const subscribed = await api.request('DELETE', `${SPACE}/functions/test`);
    assert.equal(subscribed.status, 400);
    assert.equal(subscribed.text, errorText("Function cannot be deleted because it's subscribed to a least one event."));
    assert.equal((await api.request('DELETE', `${SPACE}/subscriptions/${(sub.body as { subscriptionId: string }).subscriptionId}`)).status, 204);
    const authorizer = await api.request('DELETE', `${SPACE}/functions/test`);
    assert.equal(authorizer.status, 400);
    assert.equal(authorizer.text, errorText('Function test cannot be deleted because is used as an authorizer for test.event event type.'));
    await api.request('PUT', `${SPACE}/eventtypes/test.event`, {});
    const deleted = await api.request('DELETE', `${SPACE}/functions/test`);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
  });

  test('list with metadata filters', async () => {
    await api.request('POST', `${SPACE}/functions`, { ...HTTP_FN, functionId: 'a', metadata: { team: 'x' } });
    await api.request('POST', `${SPACE}/functions`, { ...HTTP_FN, functionId: 'b' });
    const res = await api.request('GET', `${SPACE}/functions?metadata.team=x`);
    assert.deepEqual((res.body as { functions: { functionId: string }[] }).functions.map((f) => f.functionId), ['a']);
  });
});
