import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PathTree } from '../src/routing/path-tree.ts';

function treeWith(...paths: string[]): PathTree<string> {
  const tree = new PathTree<string>();
  for (const p of paths) tree.add(p, p);
  return tree;
}

describe('PathTree.add conflicts (original tree_test.go messages)', () => {
  const cases: [existing: string[], added: string, message: string][] = [
    [['/'], '/', 'route / conflicts with existing route'],
    [['/a'], '/a', 'route /a conflicts with existing route'],
    [['/:foo'], '/:bar', 'parameter with different name ("foo") already defined: for route: /:bar'],
    [['/:foo'], '/bar', 'parameter with different name ("foo") already defined: for route: /bar'],
    [['/:foo/:bar'], '/baz', 'parameter with different name ("foo") already defined: for route: /baz'],
    [['/a'], '/:id', 'static route already defined for route: /:id'],
    [['/*foo'], '/*bar', 'wildcard with different name ("foo") already defined: for route: /*bar'],
    [['/*foo'], '/*foo', 'wildcard with different name ("foo") already defined: for route: /*foo'],
    [['/*foo'], '/bar', 'wildcard with different name ("foo") already defined: for route: /bar'],
    [['/*foo'], '/:bar', 'wildcard with different name ("foo") already defined: for route: /:bar'],
    [['/:foo'], '/*bar', 'wildcard with different name ("foo") already defined: for route: /*bar'],
    [['/a'], '/*w', 'wildcard with different name ("") already defined: for route: /*w'],
    [[], '/*foo/bar', 'wildcard must be the last parameter'],
    [['/a/:x'], '/a/:x/*w/b', 'wildcard must be the last parameter'],
    [['/users/:id/posts'], '/users/:id/posts', 'route /users/:id/posts conflicts with existing route'],
  ];
  for (const [existing, added, message] of cases) {
    test(`${existing.join(' ') || '(empty)'} + ${added}`, () => {
      const tree = treeWith(...existing);
      assert.throws(() => tree.add(added, 'new'), { message });
    });
  }

  test('a failed add leaves the tree unchanged', () => {
    const tree = new PathTree<string>();
    assert.throws(() => tree.add('/*foo/bar', 'x'), { message: 'wildcard must be the last parameter' });
    assert.doesNotThrow(() => tree.add('/a', 'a'));
    assert.equal(tree.resolve('/a')?.value, 'a');
  });

  test('static siblings, nested statics and trailing slashes coexist', () => {
    const tree = treeWith('/a', '/b', '/a/b', '/d/e/f', '/a/', '/');
    for (const p of ['/a', '/b', '/a/b', '/d/e/f', '/a/', '/']) assert.equal(tree.resolve(p)?.value, p);
  });

  test('the same param name extends a route', () => {
    const tree = treeWith('/:name', '/:name/:id', '/:name/:id/x');
    assert.deepEqual(tree.resolve('/foo/1'), { value: '/:name/:id', params: { name: 'foo', id: '1' } });
    assert.deepEqual(tree.resolve('/foo/1/x'), { value: '/:name/:id/x', params: { name: 'foo', id: '1' } });
    assert.throws(() => tree.add('/:name/x', 'x'), { message: 'parameter with different name ("id") already defined: for route: /:name/x' });
  });
});

describe('PathTree.resolve (reference §4.7)', () => {
  test('root: params null; no root route: undefined', () => {
    assert.deepEqual(treeWith('/').resolve('/'), { value: '/', params: null });
    assert.equal(treeWith('/a').resolve('/'), undefined);
  });

  test('static routes have empty params; missing paths do not match', () => {
    const tree = treeWith('/a/b/c/d');
    assert.deepEqual(treeWith('/a').resolve('/a'), { value: '/a', params: {} });
    assert.equal(tree.resolve('/b'), undefined);
    assert.equal(tree.resolve('/a/b'), undefined);
    assert.equal(tree.resolve('/a/b/c/d/e'), undefined);
  });

  test('trailing slash is significant', () => {
    const tree = treeWith('/a/');
    assert.equal(tree.resolve('/a'), undefined);
    assert.equal(tree.resolve('/a/')?.value, '/a/');
  });

  test('params capture one segment, extra segments do not match', () => {
    const tree = treeWith('/:name', '/:name/:id');
    assert.deepEqual(tree.resolve('/foo'), { value: '/:name', params: { name: 'foo' } });
    assert.deepEqual(tree.resolve('/foo/1'), { value: '/:name/:id', params: { name: 'foo', id: '1' } });
    assert.equal(tree.resolve('/foo/bar/baz'), undefined);
  });

  test('params and statics mix along a route', () => {
    assert.deepEqual(treeWith('/:name/bar/:id').resolve('/foo/bar/baz'), { value: '/:name/bar/:id', params: { name: 'foo', id: 'baz' } });
  });

  test('a wildcard captures the rest joined with /', () => {
    const tree = treeWith('/*foo');
    assert.deepEqual(treeWith('/*foo').resolve('/foo/bar/baz'), { value: '/*foo', params: { foo: 'foo/bar/baz' } });
    assert.deepEqual(treeWith('/files/*p').resolve('/files/'), { value: '/files/*p', params: { p: '' } });
    assert.throws(() => tree.add('/y', 'y'));
  });

  test('raw (escaped) paths are matched as given', () => {
    const tree = treeWith('/users/:id');
    assert.deepEqual(tree.resolve('/users/a%2Fb'), { value: '/users/:id', params: { id: 'a%2Fb' } });
  });

  test('a route pattern resolves to itself (used to remove routes)', () => {
    const tree = treeWith('/users/:id', '/files/*path');
    assert.equal(tree.resolve('/users/:id')?.value, '/users/:id');
    assert.equal(tree.resolve('/files/*path')?.value, '/files/*path');
  });

  test('a param named __proto__ is an own property', () => {
    const match = treeWith('/:__proto__').resolve('/x');
    assert.equal(Object.getOwnPropertyDescriptor(match?.params, '__proto__')?.value, 'x');
  });

  test('paths without a leading slash follow the original (first segment dropped)', () => {
    assert.equal(treeWith('/a').resolve('a'), undefined);
    assert.equal(treeWith('/a').resolve(''), undefined);
  });

  test('many static siblings', () => {
    const tree = new PathTree<number>();
    for (let i = 0; i < 5000; i++) tree.add(`/r${i}/x`, i);
    for (let i = 0; i < 5000; i += 97) assert.equal(tree.resolve(`/r${i}/x`)?.value, i);
    assert.equal(tree.resolve('/r5000/x'), undefined);
  });
});

describe('PathTree.delete', () => {
  test('root', () => {
    const tree = treeWith('/');
    assert.equal(tree.delete('/'), true);
    assert.equal(tree.resolve('/'), undefined);
    assert.equal(tree.delete('/'), false);
  });

  test('static, keeping children', () => {
    const tree = treeWith('/a', '/a/b', '/x/y/z');
    assert.equal(tree.delete('/a'), true);
    assert.equal(tree.resolve('/a'), undefined);
    assert.equal(tree.resolve('/a/b')?.value, '/a/b');
    assert.equal(tree.delete('/x/y/z'), true);
    assert.equal(tree.resolve('/x/y/z'), undefined);
  });

  test('param with child', () => {
    const tree = treeWith('/:foo', '/:foo/bar');
    tree.delete('/:foo');
    assert.equal(tree.resolve('/a'), undefined);
    assert.equal(tree.resolve('/a/bar')?.value, '/:foo/bar');
  });

  test('missing routes', () => {
    const tree = treeWith('/a/b');
    assert.equal(tree.delete('/a'), false);
    assert.equal(tree.delete('/q/r'), false);
    assert.equal(new PathTree().delete('/a'), false);
  });

  test('a deleted param makes room for a static route, and empty branches are pruned', () => {
    const tree = treeWith('/:foo');
    tree.delete('/:foo');
    tree.add('/a', 'a');
    assert.equal(tree.resolve('/a')?.value, 'a');
    const nested = treeWith('/a/b/c');
    nested.delete('/a/b/c');
    assert.doesNotThrow(() => nested.add('/:id', 'id'));
  });
});
