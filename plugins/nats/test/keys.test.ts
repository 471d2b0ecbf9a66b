import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeKey, encodeKey } from '../src/keys.ts';

describe('KV key encoding', () => {
  const awkward = ['', 'default', 'team.one', 'GET%2Fpath%3A1', 'a:b:c', 'x/y', 'with space', '*', '>', 'ünï ✓', '=', '.'];
  it('round-trips any kind, space and id into a valid three-token KV key', () => {
    for (const kind of ['functions', 'deadletters', 'my.kind', 'weird kind', '']) {
      for (const space of awkward) {
        for (const id of awkward) {
          const key = encodeKey(kind, space, id);
          assert.match(key, /^[-/_=a-zA-Z0-9]+\.[-/_=a-zA-Z0-9]+\.[-/_=a-zA-Z0-9]+$/, key);
          assert.deepEqual(decodeKey(key), { kind, space, id });
        }
      }
    }
  });
  it('keeps plain kinds readable and ignores keys it did not make', () => {
    assert.equal(encodeKey('functions', 'default', 'f1'), 'functions.ZGVmYXVsdA.ZjE');
    assert.equal(decodeKey('not-ours'), undefined);
    assert.equal(decodeKey('a.b.c.d'), undefined);
  });
});
