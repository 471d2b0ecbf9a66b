/**
 * The awslambda provider in a real Gateway, against the local SigV4-verifying AWS server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FUNCTION_CALL_FAILED, isGatewayError, type Invocation } from '@switchyard/core';
import { ACCESS_ERROR_MESSAGES } from '@switchyard/aws-common';
import { startTestGateway, waitFor, type TestSpace } from '@switchyard/core/testing';
import { startAwsTestServer, type AwsTestServer } from '@switchyard/aws-common/testing';
import { AwsLambdaProvider, awsLambdaProvider } from '../src/index.ts';

const KEY = { accessKeyId: 'AKIDLAMBDATEST', secretAccessKey: 'lambda-secret' };
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:orders';

function credentials(key: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): Record<string, string> {
  return { awsAccessKeyId: key.accessKeyId, awsSecretAccessKey: key.secretAccessKey, ...(key.sessionToken ? { awsSessionToken: key.sessionToken } : {}) };
}

async function setup(t: { after(fn: () => unknown): void }, options: { endpoint?: boolean } = {}): Promise<{ aws: AwsTestServer; gw: TestSpace }> {
  const aws = await startAwsTestServer({ credentials: [KEY] });
  t.after(() => aws.close());
  const tg = await startTestGateway([awsLambdaProvider(options.endpoint === false ? {} : { endpoint: aws.endpoint })]);
  t.after(() => tg.close());
  const gw = tg.space();
  return { aws, gw };
}

test('sync: the event is the Invoke payload (RequestResponse, signed for the region) and the function reply is the HTTP response', async (t) => {
  const { aws, gw } = await setup(t);
  aws.lambda('orders', (payload) => {
    const event = JSON.parse(payload) as { type: string; id: string; data: { n: number } };
    return { payload: { statusCode: 201, headers: { 'x-fn': 'lambda' }, body: `${event.type} ${event.id} ${event.data.n}` } };
  });
  await gw.registerFunction('orders', 'awslambda', { arn: ARN, region: 'eu-west-1', ...credentials(KEY) });
  await gw.subscribe({ type: 'sync', eventType: 'order.created', functionId: 'orders' });

  const reply = await gw.emit('order.created', { n: 7 }, { path: '/orders', id: 'evt-42' });
  assert.equal(reply.status, 201, reply.text);
  assert.equal(reply.text, 'order.created evt-42 7');
  assert.equal(reply.headers.get('x-fn'), 'lambda');

  const call = aws.received.at(-1)!;
  assert.equal(call.service, 'lambda');
  assert.equal(call.resource, ARN);
  assert.equal(call.invocationType, 'RequestResponse');
  assert.equal(call.region, 'eu-west-1');
  assert.equal(call.accessKeyId, KEY.accessKeyId);
  assert.equal(call.error, undefined);
  const sent = JSON.parse(call.payload) as Record<string, unknown>;
  assert.equal(sent['specversion'], '1.0');
  assert.equal(sent['id'], 'evt-42');
  assert.deepEqual(sent['data'], { n: 7 });
});

test('async: each delivery is one Invoke', async (t) => {
  const { aws, gw } = await setup(t);
  aws.lambda('orders', () => ({ payload: { statusCode: 200, body: 'ok' } }));
  await gw.registerFunction('orders', 'awslambda', { arn: ARN, region: 'us-east-2', ...credentials(KEY) });
  await gw.subscribe({ type: 'async', eventType: 'order.shipped', functionId: 'orders' });
  const reply = await gw.emit('order.shipped', { parcel: 'p-1' });
  assert.equal(reply.status, 202, reply.text);
  await waitFor(() => aws.received.some((r) => r.payload.includes('p-1')), 10_000, 'the Invoke');
  const call = aws.received.find((r) => r.payload.includes('p-1'))!;
  assert.equal(call.region, 'us-east-2');
  assert.equal((JSON.parse(call.payload) as { type: string }).type, 'order.shipped');
});

test('credential errors reach the sync client with the original messages (500); other AWS errors with the generic one', async (t) => {
  const { aws, gw } = await setup(t);
  aws.addCredentials({ accessKeyId: 'AKIDDENIED', secretAccessKey: 'd', denied: true });
  aws.addCredentials({ accessKeyId: 'AKIDEXPIRED', secretAccessKey: 'e', sessionToken: 'session', expired: true });
  aws.lambda('orders', () => ({ payload: { statusCode: 200, body: 'should not be reached' } }));
  const cases: [string, Record<string, string>, string, string][] = [
    ['denied', credentials({ accessKeyId: 'AKIDDENIED', secretAccessKey: 'd' }), ACCESS_ERROR_MESSAGES['AccessDeniedException']!, 'AccessDeniedException'],
    ['unknown', credentials({ accessKeyId: 'AKIDNOBODY', secretAccessKey: 'x' }), ACCESS_ERROR_MESSAGES['UnrecognizedClientException']!, 'UnrecognizedClientException'],
    ['expired', credentials({ accessKeyId: 'AKIDEXPIRED', secretAccessKey: 'e', sessionToken: 'session' }), ACCESS_ERROR_MESSAGES['ExpiredTokenException']!, 'ExpiredTokenException'],
    ['badsecret', credentials({ ...KEY, secretAccessKey: 'not-the-secret' }), FUNCTION_CALL_FAILED, 'InvalidSignatureException'],
  ];
  for (const [id, creds, message, code] of cases) {
    await gw.registerFunction(id, 'awslambda', { arn: ARN, region: 'eu-west-1', ...creds });
    await gw.subscribe({ type: 'sync', eventType: 'order.created', functionId: id });
    const reply = await gw.emit('order.created', {}, { path: `/${id}` });
    assert.equal(reply.status, 500, `${id}: ${reply.text}`);
    assert.deepEqual(reply.body, { errors: [{ message }] }, id);
    assert.equal(aws.received.at(-1)?.error, code, id);
  }
  assert.match(ACCESS_ERROR_MESSAGES['AccessDeniedException']!, /^Function call failed with AccessDeniedException\. The provided credentials do not have the required IAM permissions to invoke this function\. Please attach the lambda:invokeFunction permission to these credentials\.$/);

  // A scripted service error (throttling): the generic message; the detail is in the provider's error.
  await gw.registerFunction('throttled', 'awslambda', { arn: ARN, region: 'eu-west-1', ...credentials(KEY) });
  await gw.subscribe({ type: 'sync', eventType: 'order.created', functionId: 'throttled' });
  aws.failNext({ code: 'TooManyRequestsException', message: 'Rate exceeded', status: 429 });
  const throttled = await gw.emit('order.created', {}, { path: '/throttled' });
  assert.equal(throttled.status, 500);
  assert.deepEqual(throttled.body, { errors: [{ message: FUNCTION_CALL_FAILED }] });
});

test('a Lambda function error fails the call: generic message to the client, the function error in the provider error', async (t) => {
  const { aws, gw } = await setup(t);
  aws.lambda('orders', () => ({ functionError: 'Unhandled', payload: { errorType: 'TypeError', errorMessage: 'x is undefined' } }));
  await gw.registerFunction('orders', 'awslambda', { arn: ARN, region: 'eu-west-1', ...credentials(KEY) });
  await gw.subscribe({ type: 'sync', eventType: 'order.created', functionId: 'orders' });
  const reply = await gw.emit('order.created', {}, { path: '/orders' });
  assert.equal(reply.status, 500);
  assert.deepEqual(reply.body, { errors: [{ message: FUNCTION_CALL_FAILED }] });

  const provider = new AwsLambdaProvider({ endpoint: aws.endpoint });
  t.after(() => provider.close());
  await assert.rejects(provider.invoke(invocation({ arn: 'orders', region: 'eu-west-1', ...credentials(KEY) })), (err: unknown) => {
    assert.ok(isGatewayError(err));
    assert.equal(err.code, 'GW_ERR_FUNCTION_FAILED');
    assert.equal(err.expose, false);
    assert.match(err.message, /^Function "fn-test" failed with a Lambda function error \(Unhandled\): \{"errorType":"TypeError","errorMessage":"x is undefined"\}$/);
    return true;
  });
});

test('bad configs are refused with 400 and the original message', async (t) => {
  const { gw } = await setup(t);
  const cases: [Record<string, unknown>, string][] = [
    [{ region: 'eu-west-1' }, 'missing required fields for AWS Lambda function'],
    [{ arn: ARN }, 'missing required fields for AWS Lambda function'],
    [{ arn: '', region: 'eu-west-1' }, 'missing required fields for AWS Lambda function'],
    [{ arn: ARN, region: 'eu west 1' }, 'region "eu west 1" is not a valid AWS region name'],
    [{ arn: ARN, region: 'eu-west-1', timeout: -5 }, 'timeout must be a positive integer number of milliseconds (at most 2147483647)'],
  ];
  for (const [provider, message] of cases) {
    const reply = await gw.post('functions', { functionId: 'bad', type: 'awslambda', provider });
    assert.equal(reply.status, 400, JSON.stringify(provider));
    assert.deepEqual(reply.body, { errors: [{ message: `Function doesn't validate. Validation error: ${message}` }] });
  }
});

test('without static credentials the SDK chain is used (environment), and AWS_ENDPOINT_URL_LAMBDA overrides the endpoint', async (t) => {
  const saved = { ...process.env };
  t.after(() => {
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL_LAMBDA']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });
  const aws = await startAwsTestServer({ credentials: [{ accessKeyId: 'AKIDFROMENV', secretAccessKey: 'env-secret' }, KEY] });
  t.after(() => aws.close());
  process.env['AWS_ACCESS_KEY_ID'] = 'AKIDFROMENV';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'env-secret';
  delete process.env['AWS_SESSION_TOKEN'];
  process.env['AWS_ENDPOINT_URL_LAMBDA'] = aws.endpoint;
  const tg = await startTestGateway([awsLambdaProvider()]); // no endpoint option: the SDK reads the environment
  t.after(() => tg.close());
  const gw = tg.space();
  aws.lambda('orders', () => ({ payload: { statusCode: 200, body: 'from env' } }));

  await gw.registerFunction('env', 'awslambda', { arn: ARN, region: 'ap-south-1' });
  // Only a key id, no secret: the original ignored half a pair and used the chain; so do we.
  await gw.registerFunction('half', 'awslambda', { arn: ARN, region: 'ap-south-1', awsAccessKeyId: KEY.accessKeyId });
  await gw.registerFunction('static', 'awslambda', { arn: ARN, region: 'ap-south-1', ...credentials(KEY) });
  await gw.subscribe({ type: 'sync', eventType: 'order.created', functionId: 'env' });
  await gw.subscribe({ type: 'sync', eventType: 'order.created', functionId: 'half' });
  await gw.subscribe({ type: 'sync', eventType: 'order.created', functionId: 'static' });

  for (const [id, key] of [['env', 'AKIDFROMENV'], ['half', 'AKIDFROMENV'], ['static', KEY.accessKeyId]] as const) {
    const reply = await gw.emit('order.created', {}, { path: `/${id}` });
    assert.equal(reply.status, 200, `${id}: ${reply.text}`);
    assert.equal(reply.text, 'from env');
    assert.equal(aws.received.at(-1)?.accessKeyId, key, id);
    assert.equal(aws.received.at(-1)?.region, 'ap-south-1');
  }
});

test('the per-call deadline: a slow function times out (GW_ERR_FUNCTION_TIMEOUT), a sync client gets 500', async (t) => {
  const { aws, gw } = await setup(t);
  aws.lambda('slow', () => new Promise((resolve) => setTimeout(() => resolve({ payload: { statusCode: 200, body: 'late' } }), 3_000)));
  await gw.registerFunction('slow', 'awslambda', { arn: 'slow', region: 'eu-west-1', timeout: 300, ...credentials(KEY) });
  await gw.subscribe({ type: 'sync', eventType: 'order.created', functionId: 'slow' });
  const started = Date.now();
  const reply = await gw.emit('order.created', {}, { path: '/slow' });
  assert.equal(reply.status, 500);
  assert.deepEqual(reply.body, { errors: [{ message: FUNCTION_CALL_FAILED }] });
  assert.ok(Date.now() - started < 2_500, 'the call was cut at its deadline');

  const provider = new AwsLambdaProvider({ endpoint: aws.endpoint, timeoutMs: 200 });
  t.after(() => provider.close());
  await assert.rejects(provider.invoke(invocation({ arn: 'slow', region: 'eu-west-1', ...credentials(KEY) })), (err: unknown) => {
    assert.ok(isGatewayError(err));
    assert.equal(err.code, 'GW_ERR_FUNCTION_TIMEOUT');
    assert.equal(err.message, 'Function "fn-test" timed out after 200 ms');
    return true;
  });
});

test('one SDK client per (region, credentials, endpoint), destroyed on close; bad options fail loud', async (t) => {
  const aws = await startAwsTestServer({ credentials: [KEY, { accessKeyId: 'AKIDOTHER', secretAccessKey: 'o' }] });
  t.after(() => aws.close());
  aws.lambda('orders', () => ({ payload: { statusCode: 200, body: 'ok' } }));
  const provider = new AwsLambdaProvider({ endpoint: aws.endpoint });
  const calls = [
    { arn: 'orders', region: 'eu-west-1', ...credentials(KEY) },
    { arn: ARN, region: 'eu-west-1', ...credentials(KEY) },
    { arn: 'orders', region: 'eu-west-2', ...credentials(KEY) },
    { arn: 'orders', region: 'eu-west-1', ...credentials({ accessKeyId: 'AKIDOTHER', secretAccessKey: 'o' }) },
  ];
  for (const config of calls) {
    const result = await provider.invoke(invocation(config));
    assert.equal(result.status, 200);
    assert.equal(result.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(result.body.toString()), { statusCode: 200, body: 'ok' });
  }
  assert.equal(provider.clientCount, 3);
  await provider.close();
  assert.equal(provider.clientCount, 0);
  await assert.rejects(provider.invoke(invocation(calls[0]!)), /provider is closed/);

  assert.throws(() => new AwsLambdaProvider({ endpoint: 'localhost:4566' }), /endpoint must be an absolute http or https URL/);
  assert.throws(() => new AwsLambdaProvider({ maxAttempts: 0 }), /maxAttempts must be a positive integer/);
  assert.throws(() => new AwsLambdaProvider({ timeoutMs: 1.5 }), /timeoutMs must be a positive integer/);
});

test('an authorizer-style payload replaces the event as the Invoke payload', async (t) => {
  const aws = await startAwsTestServer({ credentials: [KEY] });
  t.after(() => aws.close());
  aws.lambda('auth', (payload) => ({ payload: { authorization: { principalId: JSON.parse(payload).user as string } } }));
  const provider = new AwsLambdaProvider({ endpoint: aws.endpoint, maxAttempts: 2 });
  t.after(() => provider.close());
  const result = await provider.invoke({ ...invocation({ arn: 'auth', region: 'eu-west-1', ...credentials(KEY) }), payload: { contentType: 'application/json', body: '{"user":"ada"}' } });
  assert.deepEqual(JSON.parse(result.body.toString()), { authorization: { principalId: 'ada' } });
  assert.equal(aws.received.at(-1)?.payload, '{"user":"ada"}');
});

function invocation(provider: Record<string, unknown>): Invocation {
  return {
    space: 'default',
    function: { space: 'default', functionId: 'fn-test', type: 'awslambda', provider },
    mode: 'sync',
    event: { specversion: '1.0', id: 'e1', source: 'https://switchyard.test', type: 'test.event', data: { a: 1 } },
    specVersion: '1.0',
  };
}
