/**
 * The awssqs provider in a real Gateway, against the local SigV4-verifying AWS server (SQS JSON protocol).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FUNCTION_CALL_FAILED } from '@switchyard/core';
import { startTestGateway, waitFor } from '@switchyard/core/testing';
import { startAwsTestServer } from '@switchyard/aws-common/testing';
import { AwsSqsProvider, awsSqsProvider } from '../src/index.ts';

const KEY = { accessKeyId: 'AKIDSQSTEST', secretAccessKey: 'sqs-secret' };
const QUEUE = 'https://sqs.eu-north-1.amazonaws.com/123456789012/orders';
const STATIC = { awsAccessKeyId: KEY.accessKeyId, awsSecretAccessKey: KEY.secretAccessKey };

test('async and sync: SendMessage with the event as MessageBody; the result is the MessageId', async (t) => {
  const aws = await startAwsTestServer({ credentials: [KEY] });
  t.after(() => aws.close());
  const tg = await startTestGateway([awsSqsProvider({ endpoint: aws.endpoint })]);
  t.after(() => tg.close());
  const gw = tg.space();
  await gw.registerFunction('queue', 'awssqs', { queueUrl: QUEUE, region: 'eu-north-1', ...STATIC });
  await gw.subscribe({ type: 'async', eventType: 'order.created', functionId: 'queue' });
  assert.equal((await gw.emit('order.created', { n: 1 }, { id: 'evt-sqs' })).status, 202);
  await waitFor(() => aws.received.length > 0, 10_000, 'SendMessage');
  const call = aws.received[0]!;
  assert.equal(call.target, 'AmazonSQS.SendMessage');
  assert.equal(call.region, 'eu-north-1');
  assert.equal(call.accessKeyId, KEY.accessKeyId);
  assert.equal(call.resource, QUEUE);
  assert.equal(call.error, undefined);
  assert.deepEqual(JSON.parse(call.payload), { specversion: '1.0', type: 'order.created', source: 'https://switchyard.test', id: 'evt-sqs', datacontenttype: 'application/json', data: { n: 1 } });

  // Sync: the MessageId is not an HTTP response object, so the client gets the original's malformed reply.
  await gw.subscribe({ type: 'sync', eventType: 'order.created', functionId: 'queue' });
  const reply = await gw.emit('order.created', {}, { path: '/queue' });
  assert.equal(reply.status, 500);
  assert.deepEqual(reply.body, { errors: [{ message: 'HTTP response object malformed' }] });
  assert.equal(aws.received.length, 2);

  const provider = new AwsSqsProvider({ endpoint: aws.endpoint });
  t.after(() => provider.close());
  const result = await provider.invoke({
    space: 'default', mode: 'async', specVersion: '1.0',
    function: { space: 'default', functionId: 'q', type: 'awssqs', provider: { queueUrl: QUEUE, region: 'eu-north-1', ...STATIC } },
    event: { specversion: '1.0', id: 'x', source: 's', type: 't' },
  });
  assert.equal(result.status, 200);
  assert.equal(result.headers['content-type'], 'text/plain; charset=utf-8');
  assert.match(result.body.toString(), /^[0-9a-f-]{36}$/);
});

test('bad config → 400 with the original message; a wrong secret fails with the generic message', async (t) => {
  const aws = await startAwsTestServer({ credentials: [KEY] });
  t.after(() => aws.close());
  const tg = await startTestGateway([awsSqsProvider({ endpoint: aws.endpoint })]);
  t.after(() => tg.close());
  const gw = tg.space();
  const bad = await gw.post('functions', { functionId: 'bad', type: 'awssqs', provider: { region: 'eu-north-1' } });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body, { errors: [{ message: "Function doesn't validate. Validation error: missing required fields for AWS SQS function" }] });

  await gw.registerFunction('wrong', 'awssqs', { queueUrl: QUEUE, region: 'eu-north-1', ...STATIC, awsAccessKeyId: KEY.accessKeyId, awsSecretAccessKey: 'nope' });
  await gw.subscribe({ type: 'sync', eventType: 'order.created', functionId: 'wrong' });
  const reply = await gw.emit('order.created', {}, { path: '/wrong' });
  assert.equal(reply.status, 500);
  assert.deepEqual(reply.body, { errors: [{ message: FUNCTION_CALL_FAILED }] }, 'only Lambda exposes credential messages, as the original');
  assert.equal(aws.received.at(-1)?.error, 'InvalidSignatureException');
});

test('without an endpoint option the queue URL is the endpoint (the SDK default), with the env credential chain', async (t) => {
  const saved = { id: process.env['AWS_ACCESS_KEY_ID'], secret: process.env['AWS_SECRET_ACCESS_KEY'] };
  t.after(() => {
    if (saved.id === undefined) delete process.env['AWS_ACCESS_KEY_ID']; else process.env['AWS_ACCESS_KEY_ID'] = saved.id;
    if (saved.secret === undefined) delete process.env['AWS_SECRET_ACCESS_KEY']; else process.env['AWS_SECRET_ACCESS_KEY'] = saved.secret;
  });
  process.env['AWS_ACCESS_KEY_ID'] = 'AKIDSQSENV';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'sqs-env-secret';
  const aws = await startAwsTestServer({ credentials: [{ accessKeyId: 'AKIDSQSENV', secretAccessKey: 'sqs-env-secret' }] });
  t.after(() => aws.close());
  const provider = new AwsSqsProvider();
  t.after(() => provider.close());
  const result = await provider.invoke({
    space: 'default', mode: 'async', specVersion: '1.0',
    function: { space: 'default', functionId: 'q', type: 'awssqs', provider: { queueUrl: `${aws.endpoint}/123456789012/local`, region: 'eu-north-1' } },
    event: { specversion: '1.0', id: 'x', source: 's', type: 't' },
  });
  assert.equal(result.status, 200);
  assert.equal(aws.received.at(-1)?.accessKeyId, 'AKIDSQSENV');
  assert.equal(aws.received.at(-1)?.region, 'eu-north-1');
});
