import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseArgv, parseOptions } from '../src/options.ts';

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
