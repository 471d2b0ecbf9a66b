/**
 * After the build: every workspace package imports by name, its `exports` targets exist, its tsconfig
 * `references` match its workspace dependencies (so `tsc -b` builds in dependency order), and dependency majors
 * keep Node 20.19 supported.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[]; engines: { node: string } };

interface Manifest {
  name: string;
  private?: boolean;
  version: string;
  type?: string;
  exports?: Record<string, string | { types: string; default: string }>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** The workspace directories, expanded from the root's `workspaces` globs (`plugins/*` → every plugin). */
const workspaces = rootPkg.workspaces.flatMap((pattern) => {
  if (!pattern.endsWith('/*')) return [pattern];
  const parent = pattern.slice(0, -2);
  if (!existsSync(join(root, parent))) return [];
  return readdirSync(join(root, parent), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, parent, e.name, 'package.json')))
    .map((e) => `${parent}/${e.name}`);
});
const manifests = new Map<string, { dir: string; pkg: Manifest }>();
for (const dir of workspaces) {
  const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest;
  manifests.set(pkg.name, { dir, pkg });
}

describe('packaging', () => {
  it('the root lists every package directory as a workspace', () => {
    for (const dir of ['core', 'providers/*', 'plugins/*', 'distribution', 'sdk', 'test', 'bench', 'examples/*']) {
      assert.ok(rootPkg.workspaces.includes(dir), `workspaces should include ${dir}`);
    }
  });

  for (const [name, { dir, pkg }] of manifests) {
    if (pkg.private) continue;
    it(`${name}: ESM, exports point at built files, imports by name`, async () => {
      assert.equal(pkg.type, 'module');
      assert.ok(pkg.exports, 'exports map');
      for (const [subpath, target] of Object.entries(pkg.exports)) {
        if (typeof target === 'string') continue;
        const keys = Object.keys(target);
        assert.equal(keys[0], 'types', `${subpath}: "types" must come first`);
        assert.ok(existsSync(join(root, dir, target.types)), `${subpath}: ${target.types} exists`);
        assert.ok(existsSync(join(root, dir, target.default)), `${subpath}: ${target.default} exists`);
        const specifier = subpath === '.' ? name : `${name}/${subpath.slice(2)}`;
        const mod = (await import(specifier)) as Record<string, unknown>;
        assert.ok(Object.keys(mod).length > 0, `${specifier} exports something`);
      }
    });

    it(`${name}: internal dependencies are pinned to the lockstep version`, () => {
      const deps = { ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies };
      for (const [dep, range] of Object.entries(deps)) {
        const internal = manifests.get(dep);
        if (internal) assert.equal(range, internal.pkg.version, `${dep} pinned exactly`);
      }
    });
  }

  for (const [name, { dir, pkg }] of manifests) {
    it(`${name}: tsconfig references match workspace dependencies`, () => {
      const tsconfig = JSON.parse(readFileSync(join(root, dir, 'tsconfig.json'), 'utf8')) as { references?: { path: string }[] };
      const referenced = new Set((tsconfig.references ?? []).map((r) => resolve(root, dir, r.path)));
      const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies }).filter((d) => manifests.has(d));
      const expected = new Set(deps.map((d) => resolve(root, manifests.get(d)!.dir)));
      assert.deepEqual([...referenced].map((p) => relative(root, p)).sort(), [...expected].map((p) => relative(root, p)).sort());
    });
  }

  it('the engines floor is Node 20.19 and lerna 9 (lerna 10 needs Node 22)', () => {
    assert.equal(rootPkg.engines.node, '>=20.19');
    const lerna = JSON.parse(readFileSync(join(root, 'node_modules/lerna/package.json'), 'utf8')) as { version: string };
    assert.equal(lerna.version.split('.')[0], '9');
  });

  it('nx.json keeps topological build order', () => {
    const nx = JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8')) as { targetDefaults: { build: { dependsOn: string[] } } };
    assert.deepEqual(nx.targetDefaults.build.dependsOn, ['^build']);
  });
});
