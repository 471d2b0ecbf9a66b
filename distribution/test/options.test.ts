import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseArgv, parseOptions, stageOptions } from '../src/options.ts';

describe('switchyard command line', () => {
  it('accepts the original Event Gateway flags as its SDK harness passes them', () => {
    const options = parseOptions(['--dev', '--embed-data-dir=abc-123', '--config-port=4005', '--events-port=4006']);
    assert.equal(options.dev, true);
    assert.equal(options.embedDataDir, 'abc-123');
    assert.equal(options.configPort, 4005);
    assert.equal(options.eventsPort, 4006);
  });

  it('accepts Go-style single-dash flags and boolean values', () => {
    assert.deepEqual(normaliseArgv(['-dev', '-config-port', '5001', '-log-level=debug', '--dev=false', '-version=true']),
      ['--dev', '--config-port', '5001', '--log-level=debug', '--version']);
    const options = parseOptions(['-dev=true', '-workers', '7', '-workers-backlog=9', '-log-format', 'json']);
    assert.equal(options.dev, true);
    assert.equal(options.workers, 7);
    assert.equal(options.workersBacklog, 9);
    assert.equal(options.logFormat, 'json');
  });

  it('has the original defaults', () => {
    const options = parseOptions([]);
    assert.equal(options.configPort, 4001);
    assert.equal(options.eventsPort, 4000);
    assert.equal(options.workers, 100);
    assert.equal(options.workersBacklog, 200);
    assert.equal(options.logLevel, 'info');
    assert.equal(options.envelope, '1.0');
  });

  it('refuses bad values with a clear error', () => {
    assert.throws(() => parseOptions(['--config-port', 'abc']), /must be an integer/);
    assert.throws(() => parseOptions(['--log-level', 'loud']), /Allowed choices are debug, info, warn, error/);
    assert.throws(() => normaliseArgv(['--dev=maybe']), /invalid boolean value "maybe" for -dev/);
    assert.throws(() => parseOptions(['--no-such-flag']), /unknown option/);
  });
});

describe('stage plugin flags', () => {
  it('map to the plugins\' options', () => {
    const options = parseOptions([
      '--strict-event-types', '--transform-timeout=50', '--transform-max-depth', '64', '--admin-token', 'a', '--admin-token=b',
      '--require-api-keys', '--authorizer-cache-ttl', '1000', '--jwt-jwks-url', 'http://127.0.0.1:9/jwks', '--jwt-issuer', 'iss',
      '--jwt-audience', 'aud', '--jwt-algorithms', 'RS256, ES256',
    ]);
    assert.deepEqual(stageOptions(options, { SWITCHYARD_ADMIN_TOKENS: 'c, d' }), {
      auth: {
        adminTokens: ['a', 'b', 'c', 'd'],
        apiKeys: { required: true },
        authorizerCache: { ttlMs: 1000 },
        jwt: { required: false, jwksUrl: 'http://127.0.0.1:9/jwks', issuer: 'iss', audience: 'aud', algorithms: ['RS256', 'ES256'] },
      },
      validation: { strictEventTypes: true },
      transform: { timeoutMs: 50, maxDepth: 64 },
    });
  });

  it('default to authorizers only, no strict types, default limits', () => {
    assert.deepEqual(stageOptions(parseOptions([]), {}), { auth: {}, validation: { strictEventTypes: false }, transform: {} });
  });
});
