/**
 * The config reader and the pick: messages naming the field at fault, and slices as wide as the weights.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pick, readWeightedConfig, type WeightedConfig } from '../src/index.ts';

test('readWeightedConfig refuses bad lists with a message naming the field', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{}, /^functions must be a non-empty array/],
    [{ functions: [] }, /^functions must be a non-empty array/],
    [{ functions: 'v1' }, /^functions must be a non-empty array/],
    [{ functions: [null] }, /^functions\[0\] must be an object/],
    [{ functions: [{ functionId: 1, weight: 1 }] }, /^functions\[0\]\.functionId must be a non-empty string/],
    [{ functions: [{ functionId: '', weight: 1 }] }, /^functions\[0\]\.functionId must be a non-empty string/],
    [{ functions: [{ functionId: 'v1', weight: 1 }, { functionId: 'v2', weight: 0 }] }, /^functions\[1\]\.weight must be a positive integer .* got 0$/],
    [{ functions: [{ functionId: 'v1', weight: 1.5 }] }, /^functions\[0\]\.weight must be a positive integer/],
    [{ functions: [{ functionId: 'v1', weight: '10' }] }, /^functions\[0\]\.weight must be a positive integer .* got "10"$/],
    [{ functions: [{ functionId: 'v1' }] }, /^functions\[0\]\.weight must be a positive integer .* got nothing$/],
    [{ functions: [{ functionId: 'v1', weight: 2_000_000 }] }, /^functions\[0\]\.weight must be a positive integer \(at most 1000000\)/],
    [{ functions: [{ functionId: 'v1', weight: 1 }, { functionId: 'v1', weight: 2 }] }, /^functions\[1\]\.functionId "v1" is listed more than once$/],
    [{ functions: Array.from({ length: 101 }, (_, i) => ({ functionId: `f${i}`, weight: 1 })) }, /at most 100 are allowed/],
  ];
  for (const [config, message] of cases) {
    const read = readWeightedConfig(config);
    assert.equal(typeof read, 'string', JSON.stringify(config));
    assert.match(read as string, message);
  }
});

test('pick gives each target a slice as wide as its weight, in list order', () => {
  const config = readWeightedConfig({ functions: [{ functionId: 'v1', weight: 90 }, { functionId: 'v2', weight: 10 }] }) as WeightedConfig;
  assert.equal(config.total, 100);
  assert.equal(pick(config, 0).functionId, 'v1');
  assert.equal(pick(config, 0.8999).functionId, 'v1');
  assert.equal(pick(config, 0.9).functionId, 'v2');
  assert.equal(pick(config, 0.9999999).functionId, 'v2');
  // A broken random source is clamped, never an out-of-range index.
  assert.equal(pick(config, 1).functionId, 'v2');
  assert.equal(pick(config, -3).functionId, 'v1');
  assert.equal(pick(config, Number.NaN).functionId, 'v1');
  const counts = new Map<string, number>();
  for (let i = 0; i < 100; i += 1) {
    const id = pick(config, i / 100).functionId;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries(counts), { v1: 90, v2: 10 });
});
