/**
 * The awsfirehose provider in a real Gateway, against the local SigV4-verifying AWS server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isGatewayError } from '@switchyard/core';
import { startTestGateway, waitFor } from '@switchyard/core/testing';
import { startAwsTestServer } from '@switchyard/aws-common/testing';
import { AwsFirehoseProvider, awsFirehoseProvider } from '../src/index.ts';

const KEY = { accessKeyId: 'AKIDFIREHOSE', secretAccessKey: 'firehose-secret' };
const STATIC = { awsAccessKeyId: KEY.accessKeyId, awsSecretAccessKey: KEY.secretAccessKey };

test('async: PutRecord with the event as Record.Data; sync gets the original malformed reply; errors', async (t) => {
  const aws = await startAwsTestServer({ credentials: [KEY] });
  t.after(() => aws.close());
  const tg = await startTestGateway([awsFirehoseProvider({ endpoint: aws.endpoint })]);
  t.after(() => tg.close());
  const gw = tg.space();
  const bad = await gw.post('functions', { functionId: 'bad', type: 'awsfirehose', provider: { deliveryStreamName: 'logs' } });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body, { errors: [{ message: "Function doesn't validate. Validation error: missing required fields for AWS Firehose function" }] });

  await gw.registerFunction('logs', 'awsfirehose', { deliveryStreamName: 'logs', region: 'sa-east-1', ...STATIC });
  await gw.subscribe({ type: 'async', eventType: 'log.line', functionId: 'logs' });
  assert.equal((await gw.emit('log.line', { line: 'hello' }, { id: 'evt-fh' })).status, 202);
  await waitFor(() => aws.received.length > 0, 10_000, 'PutRecord');
  const call = aws.received[0]!;
  assert.equal(call.target, 'Firehose_20150804.PutRecord');
  assert.equal(call.region, 'sa-east-1');
  assert.equal(call.resource, 'logs');
  assert.equal((JSON.parse(call.payload) as { id: string }).id, 'evt-fh');
  assert.deepEqual((JSON.parse(call.payload) as { data: unknown }).data, { line: 'hello' });

  await gw.subscribe({ type: 'sync', eventType: 'log.line', functionId: 'logs' });
  const reply = await gw.emit('log.line', {}, { path: '/logs' });
  assert.equal(reply.status, 500);
  assert.deepEqual(reply.body, { errors: [{ message: 'HTTP response object malformed' }] });

  const provider = new AwsFirehoseProvider({ endpoint: aws.endpoint });
  t.after(() => provider.close());
  const fn = { space: 'default', functionId: 'f', type: 'awsfirehose', provider: { deliveryStreamName: 'logs', region: 'sa-east-1', ...STATIC } };
  const event = { specversion: '1.0' as const, id: 'x', source: 's', type: 't' };
  const result = await provider.invoke({ space: 'default', mode: 'async', specVersion: '1.0', function: fn, event });
  assert.match(result.body.toString(), /^[0-9a-f-]{36}-[0-9a-z]+$/, 'the RecordId as text');

  aws.failNext({ code: 'ResourceNotFoundException', message: 'Firehose logs under account 123456789012 not found.' });
  await assert.rejects(provider.invoke({ space: 'default', mode: 'async', specVersion: '1.0', function: fn, event }), (err: unknown) => {
    assert.ok(isGatewayError(err));
    assert.equal(err.code, 'GW_ERR_FUNCTION_FAILED');
    assert.equal(err.message, 'Function "f" call failed: ResourceNotFoundException: Firehose logs under account 123456789012 not found. (HTTP 400)');
    return true;
  });
});
