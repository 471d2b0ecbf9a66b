/**
 * The test server itself: the SDK v3 clients talk to it as to AWS, and its SigV4 check accepts exactly the requests
 * signed with the known secret (recomputed with aws4, not the SDK's signer).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { FirehoseClient, PutRecordCommand as PutFirehoseRecordCommand } from '@aws-sdk/client-firehose';
import { startAwsTestServer } from '../src/testing.ts';

const KEY = { accessKeyId: 'AKIDTESTSERVER', secretAccessKey: 'server-secret' };

test('the four clients are answered, each in its protocol, and signatures are checked', async (t) => {
  const aws = await startAwsTestServer({ credentials: [KEY] });
  t.after(() => aws.close());
  aws.lambda('echo', (payload) => ({ payload: { got: JSON.parse(payload) as unknown } }));
  const config = { region: 'eu-central-1', endpoint: aws.endpoint, credentials: KEY, maxAttempts: 1 };
  const lambda = new LambdaClient(config);
  const sqs = new SQSClient(config);
  const kinesis = new KinesisClient(config);
  const firehose = new FirehoseClient(config);
  t.after(() => [lambda, sqs, kinesis, firehose].forEach((c) => c.destroy()));

  const invoked = await lambda.send(new InvokeCommand({ FunctionName: `arn:aws:lambda:eu-central-1:123456789012:function:echo`, Payload: Buffer.from('{"a":1}') }));
  assert.equal(invoked.StatusCode, 200);
  assert.deepEqual(JSON.parse(Buffer.from(invoked.Payload!).toString()), { got: { a: 1 } });
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl: `${aws.endpoint}/123456789012/q`, MessageBody: 'hello' }));
  assert.match(sent.MessageId ?? '', /^[0-9a-f-]{36}$/);
  const put = await kinesis.send(new PutRecordCommand({ StreamName: 's', Data: Buffer.from('k-data'), PartitionKey: 'pk' }));
  assert.match(put.SequenceNumber ?? '', /^\d+$/);
  const record = await firehose.send(new PutFirehoseRecordCommand({ DeliveryStreamName: 'd', Record: { Data: Buffer.from('f-data') } }));
  assert.ok(record.RecordId);

  assert.deepEqual(aws.received.map((r) => [r.service, r.operation, r.region, r.error, r.payload]), [
    ['lambda', 'Invoke', 'eu-central-1', undefined, '{"a":1}'],
    ['sqs', 'SendMessage', 'eu-central-1', undefined, 'hello'],
    ['kinesis', 'PutRecord', 'eu-central-1', undefined, 'k-data'],
    ['firehose', 'PutRecord', 'eu-central-1', undefined, 'f-data'],
  ]);
  assert.equal(aws.received[2]?.httpVersion, '2.0', 'the Kinesis client speaks HTTP/2');
  assert.equal(aws.received[2]?.partitionKey, 'pk');
  assert.equal(aws.received[1]?.target, 'AmazonSQS.SendMessage');
});

test('a wrong secret, an unknown key, an expired token and a tampered body are refused with the AWS error codes', async (t) => {
  const aws = await startAwsTestServer({ credentials: [KEY, { accessKeyId: 'AKIDEXPIRED', secretAccessKey: 's', sessionToken: 'tok', expired: true }] });
  t.after(() => aws.close());
  aws.lambda('f', () => ({ payload: {} }));
  const call = async (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): Promise<string> => {
    const client = new LambdaClient({ region: 'us-east-1', endpoint: aws.endpoint, credentials, maxAttempts: 1 });
    try {
      await client.send(new InvokeCommand({ FunctionName: 'f', Payload: Buffer.from('{}') }));
      return 'ok';
    } catch (err) {
      return `${(err as Error).name} ${(err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode}`;
    } finally {
      client.destroy();
    }
  };
  assert.equal(await call(KEY), 'ok');
  assert.equal(await call({ ...KEY, secretAccessKey: 'wrong' }), 'InvalidSignatureException 403');
  assert.equal(await call({ accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' }), 'UnrecognizedClientException 403');
  assert.equal(await call({ accessKeyId: 'AKIDEXPIRED', secretAccessKey: 's', sessionToken: 'tok' }), 'ExpiredTokenException 403');

  // A body changed after signing (same headers): refused.
  const good = aws.received[0]!;
  const response = await fetch(`${aws.endpoint}${good.path}`, {
    method: 'POST',
    headers: Object.fromEntries(Object.entries(good.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name)).map(([n, v]) => [n, String(v)])),
    body: '{"x":1}',
  });
  assert.equal(response.status, 403);
  assert.match(response.headers.get('x-amzn-errortype') ?? '', /^InvalidSignatureException/);
  // The same request replayed verbatim is accepted: the check is the signature, not something else.
  const replayed = await fetch(`${aws.endpoint}${good.path}`, {
    method: 'POST',
    headers: Object.fromEntries(Object.entries(good.headers).filter(([name]) => !['connection'].includes(name)).map(([n, v]) => [n, String(v)])),
    body: good.body,
  });
  assert.equal(replayed.status, 200, await replayed.text());
});
