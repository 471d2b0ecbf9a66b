/**
 * The provider imports `@aws-sdk/client-lambda` on its first call, not when it is constructed: a gateway with the
 * AWS providers installed and no AWS function loads no AWS SDK. Runs in its own process (node --test runs each
 * file in one), so the module cache starts empty.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Invocation } from '@switchyard/core';
import { startAwsTestServer } from '@switchyard/aws-common/testing';
import { AwsLambdaProvider } from '../src/index.ts';

const require = createRequire(import.meta.url);
/** The `@aws-sdk/client-*` packages loaded in this process so far. */
const sdkModules = (): string[] => [...new Set(Object.keys(require.cache).map((k) => /@aws-sdk\/(client-[a-z]+)/.exec(k)?.[1]).filter((m): m is string => m !== undefined))].sort();

const KEY = { accessKeyId: 'AKIDLAZY', secretAccessKey: 'lazy-secret' };

function invocation(functionId: string): Invocation {
  return {
    space: 'default',
    mode: 'sync',
    function: { space: 'default', functionId, type: 'awslambda', provider: { arn: 'f', region: 'eu-west-1', awsAccessKeyId: KEY.accessKeyId, awsSecretAccessKey: KEY.secretAccessKey } },
    event: { specversion: '1.0', type: 't', source: 's', id: '1', data: {} },
    specVersion: '1.0',
  };
}

test('no AWS SDK is loaded until the first call; concurrent first calls share one load and one client', async (t) => {
  const aws = await startAwsTestServer({ credentials: [KEY] });
  t.after(() => aws.close());
  aws.lambda('f', () => ({ payload: { ok: true } }));
  const provider = new AwsLambdaProvider({ endpoint: aws.endpoint });
  t.after(() => provider.close());
  assert.equal(provider.validate({ arn: 'f', region: 'eu-west-1' }), undefined);
  assert.match(provider.validate({ arn: 'f', region: 'EU' }) ?? '', /region/);
  assert.deepEqual(sdkModules(), [], 'constructing and validating loads no SDK');
  assert.equal(provider.sdkLoaded, false);

  const replies = await Promise.all([1, 2, 3].map(() => provider.invoke(invocation('f'))));
  for (const reply of replies) assert.equal(reply.status, 200);
  assert.equal(provider.sdkLoaded, true);
  assert.equal(provider.clientCount, 1);
  assert.deepEqual(sdkModules(), ['client-lambda']);
});

test('closing while the first call loads the SDK refuses that call and keeps no client', async () => {
  const provider = new AwsLambdaProvider({ endpoint: 'http://127.0.0.1:9' });
  const pending = provider.invoke(invocation('f'));
  await provider.close();
  await assert.rejects(pending, (err: Error & { code?: string }) => err.code === 'GW_ERR_FUNCTION_FAILED' && /closed/.test(err.message));
  assert.equal(provider.clientCount, 0);
});
