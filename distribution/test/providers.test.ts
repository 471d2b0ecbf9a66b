/**
 * The default distribution's providers, through the real `switchyard` command and a config file: an `awslambda`
 * function (against the SigV4-verifying local AWS, via `plugins.aws.endpoint`), a `weighted` canary over two http
 * functions, and the `sqs` result as the original gave it. The `nats` provider in cluster mode is in
 * `test/src/nats-provider.test.ts`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAwsTestServer } from '@switchyard/aws-common/testing';
import type { AwsTestServer } from '@switchyard/aws-common/testing';
import { replyJson, requestJson, startFunctionServer, waitFor } from '@switchyard/core/testing';
import type { FunctionServer } from '@switchyard/core/testing';
import { startCli } from './cli-process.ts';
import type { CliRun } from './cli-process.ts';

const KEY = { accessKeyId: 'AKIDDISTRIBUTION', secretAccessKey: 'distribution-secret' };

const APP = `plugins:
  aws: { endpoint: "\${AWS_URL}" }
spaces:
  default:
    functions:
      - functionId: orders
        type: awslambda
        provider:
          arn: arn:aws:lambda:eu-west-1:123456789012:function:orders
          region: eu-west-1
          awsAccessKeyId: ${KEY.accessKeyId}
          awsSecretAccessKey: \${AWS_SECRET}
      - functionId: queue
        type: awssqs
        provider: { queueUrl: "\${AWS_URL}/123456789012/jobs", region: eu-west-1, awsAccessKeyId: ${KEY.accessKeyId}, awsSecretAccessKey: "\${AWS_SECRET}" }
      - { functionId: v1, type: http, provider: { url: "\${FN_URL}v1" } }
      - { functionId: v2, type: http, provider: { url: "\${FN_URL}v2" } }
      - functionId: canary
        type: weighted
        provider:
          functions: [{ functionId: v1, weight: 1 }, { functionId: v2, weight: 1 }]
    eventTypes:
      - name: http.request
      - name: job.queued
    subscriptions:
      - { type: sync, eventType: http.request, functionId: orders, method: POST, path: /orders }
      - { type: sync, eventType: http.request, functionId: canary, method: GET, path: /canary }
      - { type: async, eventType: job.queued, functionId: queue }
`;

describe('switchyard: the providers of the default distribution', () => {
  let dir: string;
  let aws: AwsTestServer;
  let fn: FunctionServer;
  let cli: CliRun;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-providers-'));
    aws = await startAwsTestServer({ credentials: [KEY] });
    fn = await startFunctionServer(async (call, res) => replyJson({ statusCode: 200, body: call.url.slice(1) })(call, res));
    aws.lambda('orders', (payload) => {
      const event = JSON.parse(payload) as { data: { body: { item: string } } };
      return { payload: { statusCode: 201, body: `ordered ${event.data.body.item}` } };
    });
    const file = join(dir, 'switchyard.yaml');
    await writeFile(file, APP);
    cli = await startCli(['--config', file], { AWS_URL: aws.endpoint, AWS_SECRET: KEY.secretAccessKey, FN_URL: fn.url });
  });
  after(async () => {
    const code = await cli?.stop();
    await Promise.all([aws?.close(), fn?.close()]);
    await rm(dir, { recursive: true, force: true });
    assert.equal(code, 0);
  });

  it('awslambda: a sync route invokes the function with a signed request; its reply is the response', async () => {
    const reply = await requestJson(`${cli.events}/orders`, { method: 'POST', body: { item: 'tea' } });
    assert.equal(reply.status, 201, reply.text);
    assert.equal(reply.text, 'ordered tea');
    const call = aws.received.find((r) => r.service === 'lambda');
    assert.ok(call, 'the AWS server got the Invoke');
    assert.equal(call.region, 'eu-west-1');
    assert.equal(call.accessKeyId, KEY.accessKeyId);
    assert.equal(call.error, undefined);
  });

  it('awssqs: an async delivery is one SendMessage carrying the event', async () => {
    const emitted = await requestJson(cli.events, {
      method: 'POST', headers: { 'content-type': 'application/cloudevents+json' },
      body: { specversion: '1.0', type: 'job.queued', source: '/test', id: 'job-1', data: { n: 1 } },
    });
    assert.equal(emitted.status, 202, emitted.text);
    await waitFor(() => aws.received.some((r) => r.service === 'sqs'), 15_000, 'the SendMessage');
    const sent = aws.received.find((r) => r.service === 'sqs');
    assert.ok(sent, 'the AWS server got the SendMessage');
    assert.equal(sent.error, undefined);
    assert.equal((JSON.parse(sent.payload) as { id: string }).id, 'job-1');
  });

  it('weighted: a canary over two functions reaches both, and only them', async () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const reply = await requestJson(`${cli.events}/canary`);
      assert.equal(reply.status, 200, reply.text);
      seen.set(reply.text, (seen.get(reply.text) ?? 0) + 1);
    }
    assert.deepEqual([...seen.keys()].sort(), ['v1', 'v2'], `replies: ${JSON.stringify([...seen])}`);
  });

  it('refuses an awslambda function without its required fields with the original message', async () => {
    const reply = await requestJson(`${cli.config}/v1/spaces/default/functions`, {
      method: 'POST', body: { functionId: 'broken', type: 'awslambda', provider: { region: 'eu-west-1' } },
    });
    assert.equal(reply.status, 400);
    assert.match(reply.text, /missing required fields for AWS Lambda function/);
  });
});
