import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replyJson, requestJson, startFunctionServer, waitFor } from '@switchyard/core/testing';
import type { FunctionServer } from '@switchyard/core/testing';
import { runCli, startCli } from './cli-process.ts';

/** A file declaring a sync route and an async subscription to `fn`; its URL comes from `${FN_URL}`. */
const APP = `# switchyard.yaml used by the tests
gateway:
  eventsPort: 1          # the command line's --events-port 0 wins
  workers: 4
  logLevel: info
spaces:
  default:
    functions:
      - functionId: users
        type: http
        provider:
          url: \${FN_URL}users
      - functionId: audit
        type: http
        provider: { url: "\${FN_URL}audit" }
    eventTypes:
      - name: http.request
      - name: user.created
    subscriptions:
      - type: sync
        eventType: http.request
        functionId: users
        method: GET
        path: /users/:id
      - type: async
        eventType: user.created
        functionId: audit
        retryPolicy: { maxAttempts: 3, minBackoffMs: 10 }
`;

async function emit(events: string, type: string, data: unknown): Promise<number> {
  const reply = await requestJson(events, {
    method: 'POST', headers: { 'content-type': 'application/cloudevents+json' },
    body: { specversion: '1.0', type, source: '/test', id: `e-${Math.random()}`, data },
  });
  return reply.status;
}

function summary(output: string): string | undefined {
  return /config file applied: (created \d+, updated \d+, unchanged \d+, deleted \d+)/.exec(output)?.[1];
}

describe('switchyard --config', () => {
  let dir: string;
  let fn: FunctionServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-config-'));
    fn = await startFunctionServer(async (call, res) => {
      // A sync function answers with the HTTP response it wants (reference §4.5).
      if (call.url === '/users') {
        const params = call.json<{ data: { params: { id: string } } }>().data.params;
        return replyJson({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: params.id, name: 'Ada' }) })(call, res);
      }
      return replyJson({})(call, res);
    });
  });
  after(async () => {
    await fn.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies the file at start: a sync route and an async subscription work, env substituted, flags win', async () => {
    const file = join(dir, 'app.yaml');
    await writeFile(file, APP);
    const cli = await startCli(['--config', file], { FN_URL: fn.url });
    try {
      assert.equal(summary(cli.output()), 'created 6, updated 0, unchanged 0, deleted 0');
      assert.match(cli.events, /^http:\/\/127\.0\.0\.1:\d+$/);
      const sync = await requestJson(`${cli.events}/users/42`);
      assert.equal(sync.status, 200, sync.text);
      assert.deepEqual(sync.body, { id: '42', name: 'Ada' });
      assert.equal(await emit(cli.events, 'user.created', { id: 'u-43' }), 202);
      await waitFor(() => fn.calls.some((c) => c.url === '/audit'), 15_000, 'the async delivery');
      const delivered = fn.calls.find((c) => c.url === '/audit')!.json<{ type: string; data: unknown }>();
      assert.equal(delivered.type, 'user.created');
      assert.deepEqual(delivered.data, { id: 'u-43' });
      const subs = await requestJson<{ subscriptions: { retryPolicy?: unknown; type: string }[] }>(`${cli.config}/v1/spaces/default/subscriptions`);
      assert.deepEqual(subs.body.subscriptions.find((s) => s.type === 'async')?.retryPolicy, { maxAttempts: 3, minBackoffMs: 10 });
    } finally {
      assert.equal(await cli.stop(), 0);
    }
  });

  it('is idempotent: a restart with --data-dir changes nothing, an edited entry is updated, prune deletes the rest', async () => {
    const file = join(dir, 'persist.yaml');
    const dataDir = join(dir, 'data');
    await writeFile(file, APP);
    const env = { FN_URL: fn.url };
    const first = await startCli(['--config', file, '--data-dir', dataDir], env);
    assert.equal(summary(first.output()), 'created 6, updated 0, unchanged 0, deleted 0');
    // Something the file does not declare, made over the Config API.
    const extra = await requestJson(`${first.config}/v1/spaces/default/functions`, {
      method: 'POST', body: { functionId: 'extra', type: 'http', provider: { url: `${fn.url}extra` } },
    });
    assert.equal(extra.status, 201, extra.text);
    assert.equal(await first.stop(), 0);

    const second = await startCli(['--config', file, '--data-dir', dataDir], env);
    assert.equal(summary(second.output()), 'created 0, updated 0, unchanged 6, deleted 0');
    assert.equal(await second.stop(), 0);

    await writeFile(file, `prune: true\n${APP.replace('${FN_URL}audit', '${FN_URL}audit-v2')}`);
    const third = await startCli(['--config', file, '--data-dir', dataDir], env);
    try {
      assert.equal(summary(third.output()), 'created 0, updated 1, unchanged 5, deleted 1');
      const gone = await requestJson(`${third.config}/v1/spaces/default/functions/extra`);
      assert.equal(gone.status, 404);
      assert.equal(await emit(third.events, 'user.created', { id: 'u-44' }), 202);
      await waitFor(() => fn.calls.some((c) => c.url === '/audit-v2'), 15_000, 'the delivery to the updated URL');
    } finally {
      assert.equal(await third.stop(), 0);
    }
  });

  it('loads an external plugin from a path, relative to the file, with its options', async () => {
    await writeFile(join(dir, 'hello-plugin.mjs'), `
export default function helloPlugin(options, context) {
  return {
    name: 'HelloPlugin',
    apply(gateway) {
      gateway.hooks.configApi.tap('HelloPlugin', (router) => {
        router.get('/v1/hello', (ctx) => { ctx.body = { greeting: options.greeting, dir: context.configDir }; });
      });
    },
  };
}
export class Named { constructor(options) { this.name = 'NamedPlugin'; this.options = options; } apply() {} }
`);
    const file = join(dir, 'plugins.yaml');
    await writeFile(file, `plugins:
  metrics: false
  external:
    - path: ./hello-plugin.mjs
      options: { greeting: "\${GREETING:-hi}" }
    - path: ./hello-plugin.mjs
      export: Named
`);
    const cli = await startCli(['--config', file]);
    try {
      const reply = await requestJson(`${cli.config}/v1/hello`);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, { greeting: 'hi', dir });
      assert.match(cli.output(), /"plugins":\[[^\]]*"HelloPlugin","NamedPlugin","ConfigFilePlugin"\]/);
      assert.doesNotMatch(cli.output(), /MetricsPlugin/);
    } finally {
      assert.equal(await cli.stop(), 0);
    }
  });
  it('declares API keys: the key from the environment is accepted for its event types only, others are refused', async () => {
    const key = `sy_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;
    const file = join(dir, 'keys.yaml');
    await writeFile(file, `plugins:
  auth: { apiKeys: { required: true } }
spaces:
  default:
    functions: [{ functionId: audit, type: http, provider: { url: "\${FN_URL}audit" } }]
    eventTypes: [{ name: user.created }, { name: user.deleted }]
    subscriptions: [{ type: async, eventType: user.created, functionId: audit }]
    apiKeys: [{ key: "\${CI_API_KEY}", name: ci, eventTypes: [user.created] }]
`);
    const cli = await startCli(['--config', file], { FN_URL: fn.url, CI_API_KEY: key });
    try {
      assert.equal(summary(cli.output()), 'created 5, updated 0, unchanged 0, deleted 0');
      const send = (type: string, headers: Record<string, string>) => requestJson(cli.events, {
        method: 'POST', headers: { 'content-type': 'application/cloudevents+json', ...headers },
        body: { specversion: '1.0', type, source: '/test', id: `k-${Math.random()}`, data: {} },
      });
      assert.equal((await send('user.created', {})).status, 401);
      assert.equal((await send('user.created', { 'x-api-key': `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}` })).status, 401);
      assert.equal((await send('user.deleted', { 'x-api-key': key })).status, 403);
      const ok = await send('user.created', { authorization: `Bearer ${key}` });
      assert.equal(ok.status, 202, ok.text);
      const listed = await requestJson<{ apiKeys: { name: string; eventTypes: string[]; key?: string }[] }>(`${cli.config}/v1/spaces/default/apikeys`);
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(listed.body.apiKeys.map((k) => [k.name, k.eventTypes, k.key]), [['ci', ['user.created'], undefined]]);
    } finally {
      assert.equal(await cli.stop(), 0);
    }
  });
});

describe('switchyard --config: errors', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-config-errors-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function failing(name: string, text: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, text);
    const { code, output } = await runCli(['--config', file], env);
    assert.equal(code, 2, output);
    assert.doesNotMatch(output, /\n\s+at /, 'no stack trace');
    return output.replaceAll(file, name);
  }

  it('lists every schema violation with its path and line:column', async () => {
    const output = await failing('schema.yaml', `gateway:
  workers: many
  colour: blue
plugins:
  auth: yes please
  external:
    - options: {}
spaces:
  default:
    functions:
      - functionId: a
        type: http
        provider: { url: "http://127.0.0.1:1/" }
      - functionId: b
        provider: { url: 42 }
    subscriptions:
      - { type: later, eventType: e, functionId: a }
`);
    assert.match(output, /the config file has 6 problems:/);
    assert.match(output, /schema\.yaml:2:12: gateway\.workers: must be integer/);
    assert.match(output, /schema\.yaml:3:11: gateway\.colour: unknown field \(allowed here: dev, host, configPort/);
    assert.match(output, /schema\.yaml:5:9: plugins\.auth: must be object, or must be false/);
    assert.match(output, /schema\.yaml:7:7: plugins\.external\[0\]: give exactly one of "package" or "path"/);
    assert.match(output, /schema\.yaml:14:9: spaces\.default\.functions\[1\]: needs the field "type"/);
    assert.match(output, /schema\.yaml:17:17: spaces\.default\.subscriptions\[0\]\.type: must be one of "sync", "async"/);
  });

  it('reports YAML syntax errors with line:column', async () => {
    const output = await failing('syntax.yaml', 'spaces:\n  default:\n    functions: [\n      { functionId: a\n');
    assert.match(output, /syntax\.yaml:\d+:\d+: YAML syntax error: /);
    const duplicate = await failing('duplicate.yaml', 'gateway:\n  workers: 1\n  workers: 2\n');
    assert.match(duplicate, /duplicate\.yaml:3:3: YAML syntax error: Map keys must be unique/);
  });

  it('names a missing environment variable and where it is used; $${ is a literal', async () => {
    const output = await failing('env.yaml', `spaces:
  default:
    functions:
      - functionId: a
        type: http
        provider:
          url: "\${NO_SUCH_SWITCHYARD_VAR}/x"
        metadata: { note: "$\${LITERAL}" }
`);
    assert.match(output, /env\.yaml:7:16: spaces\.default\.functions\[0\]\.provider\.url: environment variable NO_SUCH_SWITCHYARD_VAR is not set/);
    assert.doesNotMatch(output, /LITERAL/);
  });

  it('reports a resource the Config API refuses, with its path, and exits without serving', async () => {
    const output = await failing('refused.yaml', `spaces:
  default:
    functions:
      - functionId: ok
        type: http
        provider: { url: "http://127.0.0.1:1/" }
      - functionId: bad
        type: http
        provider: { url: "not a url" }
`);
    assert.match(output, /refused\.yaml:7:9: spaces\.default\.functions\[1\]: refused by the Config API \(400\): Function doesn't validate/);
    assert.doesNotMatch(output, /Switchyard is running/);
  });

  it('says when the file cannot be read', async () => {
    const { code, output } = await runCli(['--config', join(dir, 'missing.yaml')]);
    assert.equal(code, 2);
    assert.match(output, /missing\.yaml: cannot read the config file: no such file/);
  });

  it('reads SWITCHYARD_CONFIG when --config is not given', async () => {
    const file = join(dir, 'from-env.yaml');
    await writeFile(file, 'gateway: { workers: 0 }\n');
    const { code, output } = await runCli([], { SWITCHYARD_CONFIG: file });
    assert.equal(code, 2);
    assert.match(output, /from-env\.yaml:1:21: gateway\.workers: must be >= 1/);
    assert.ok((await readFile(file, 'utf8')).length > 0);
  });
});
