/**
 * The awskinesis provider in a real Gateway, against the local SigV4-verifying AWS server (Kinesis over HTTP/2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isGatewayError, type Invocation } from '@switchyard/core';
import { startTestGateway, waitFor } from '@switchyard/core/testing';
import { startAwsTestServer } from '@switchyard/aws-common/testing';
import { AwsKinesisProvider, awsKinesisProvider } from '../src/index.ts';

const KEY = { accessKeyId: 'AKIDKINESIS', secretAccessKey: 'kinesis-secret' };
const STATIC = { awsAccessKeyId: KEY.accessKeyId, awsSecretAccessKey: KEY.secretAccessKey };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('PutRecord: the event as Data, the partition key from the JSONata expression, or a random UUID by default', async (t) => {
  const aws = await startAwsTestServer({ credentials: [KEY] });
  t.after(() => aws.close());
  const tg = await startTestGateway([awsKinesisProvider({ endpoint: aws.endpoint })]);
  t.after(() => tg.close());
  const gw = tg.space();
  await gw.registerFunction('keyed', 'awskinesis', { streamName: 'orders', region: 'eu-west-3', partitionKey: 'data.customer & "-" & type', ...STATIC });
  await gw.registerFunction('random', 'awskinesis', { streamName: 'orders', region: 'eu-west-3', ...STATIC });
  await gw.subscribe({ type: 'async', eventType: 'order.created', functionId: 'keyed' });
  await gw.subscribe({ type: 'async', eventType: 'order.created', functionId: 'random' });
  assert.equal((await gw.emit('order.created', { customer: 'c-17' }, { id: 'evt-k1' })).status, 202);
  assert.equal((await gw.emit('order.created', { customer: 'c-18' }, { id: 'evt-k2' })).status, 202);
  await waitFor(() => aws.received.length >= 4, 10_000, 'four PutRecord calls');

  for (const call of aws.received) {
    assert.equal(call.target, 'Kinesis_20131202.PutRecord');
    assert.equal(call.httpVersion, '2.0');
    assert.equal(call.region, 'eu-west-3');
    assert.equal(call.resource, 'orders');
    assert.equal(call.error, undefined);
  }
  const keys = aws.received.map((r): [string, string] => [(JSON.parse(r.payload) as { id: string }).id, r.partitionKey ?? '']);
  const keyed = keys.filter(([, key]) => key.startsWith('c-')).sort();
  assert.deepEqual(keyed, [['evt-k1', 'c-17-order.created'], ['evt-k2', 'c-18-order.created']]);
  const random = keys.filter(([, key]) => !key.startsWith('c-')).map(([, key]) => key);
  assert.equal(random.length, 2);
  for (const key of random) assert.match(key, UUID);
  assert.notEqual(random[0], random[1]);
});

test('a bad partitionKey expression is refused at registration with 400 naming it', async (t) => {
  const aws = await startAwsTestServer({ credentials: [KEY] });
  t.after(() => aws.close());
  const tg = await startTestGateway([awsKinesisProvider({ endpoint: aws.endpoint })]);
  t.after(() => tg.close());
  const gw = tg.space();
  const syntax = await gw.post('functions', { functionId: 'bad', type: 'awskinesis', provider: { streamName: 's', region: 'eu-west-3', partitionKey: 'data.[customer' } });
  assert.equal(syntax.status, 400);
  assert.match((syntax.body as { errors: { message: string }[] }).errors[0]!.message, /^Function doesn't validate\. Validation error: partitionKey "data\.\[customer" is not a valid JSONata expression: .+ \(S0203 at position \d+\)$/);
  const empty = await gw.post('functions', { functionId: 'bad', type: 'awskinesis', provider: { streamName: 's', region: 'eu-west-3', partitionKey: 42 } });
  assert.equal(empty.status, 400);
  assert.deepEqual(empty.body, { errors: [{ message: "Function doesn't validate. Validation error: partitionKey must be a non-empty JSONata expression" }] });
  const missing = await gw.post('functions', { functionId: 'bad', type: 'awskinesis', provider: { streamName: 's' } });
  assert.deepEqual(missing.body, { errors: [{ message: "Function doesn't validate. Validation error: missing required fields for AWS Kinesis function" }] });
  assert.equal(aws.received.length, 0);
});

test('a partition key expression is time-boxed, and one that gives no key fails the call without a request', async (t) => {
  const aws = await startAwsTestServer({ credentials: [KEY] });
  t.after(() => aws.close());
  const provider = new AwsKinesisProvider({ endpoint: aws.endpoint, partitionKeyTimeoutMs: 50 });
  t.after(() => provider.close());
  const call = (partitionKey: string): Invocation => ({
    space: 'default', mode: 'async', specVersion: '1.0',
    function: { space: 'default', functionId: 'k', type: 'awskinesis', provider: { streamName: 's', region: 'eu-west-3', partitionKey, ...STATIC } },
    event: { specversion: '1.0', id: 'e', source: 's', type: 't', data: { n: 5 } },
  });
  const runaway = '($f := function($x) { $x > 0 ? $f($x + 1) : 0 }; $f(1))';
  assert.equal(provider.validate(call(runaway).function.provider), undefined, 'it compiles');
  await assert.rejects(provider.invoke(call(runaway)), (err: unknown) => {
    assert.ok(isGatewayError(err));
    assert.equal(err.code, 'GW_ERR_FUNCTION_FAILED');
    assert.match(err.message, /^Function "k" call failed: partitionKey ".+" exceeded the (time limit of 50 ms|depth limit of 200 nested steps)$/);
    return true;
  });
  await assert.rejects(provider.invoke(call('data.missing')), /partitionKey "data\.missing" gave nothing for this event/);
  assert.equal(aws.received.length, 0);
  const numeric = await provider.invoke(call('data.n * 2'));
  assert.match(numeric.body.toString(), /^\d+$/, 'the SequenceNumber as text');
  assert.equal(aws.received.at(-1)?.partitionKey, '10');
});
