/**
 * The built SDK (`dist/src`) must run in browsers: no `node:` imports, no Node globals (`Buffer`, `process`), no
 * `require`. Scans every emitted `.js` file; run after `tsc -b sdk`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// compiled: sdk/dist/test → sdk/dist/src; from source (tsx): sdk/test → sdk/dist/src
const distSrc = here.endsWith(join('dist', 'test')) ? join(here, '..', 'src') : join(here, '..', 'dist', 'src');

const FORBIDDEN: readonly [RegExp, string][] = [
  [/\bfrom\s*['"]node:|\bimport\s*\(\s*['"]node:|['"]node:[a-z_/]+['"]/, 'a node: import'],
  [/\bBuffer\b/, 'Buffer'],
  [/\bprocess\b/, 'process'],
  [/\brequire\s*\(/, 'require()'],
  [/\bfrom\s*['"](fs|path|http|https|crypto|url|util|stream|buffer|net|os)['"]/, 'a Node built-in import'],
];

test('dist/src has no node: imports and no Node globals', () => {
  assert.ok(existsSync(distSrc), `${distSrc} does not exist: build with "npx tsc -b sdk" first`);
  const files = readdirSync(distSrc).filter((f) => f.endsWith('.js'));
  assert.ok(files.includes('index.js') && files.includes('client.js'), `unexpected build output: ${files.join(', ')}`);
  for (const file of files) {
    // comments may mention Node; code may not
    const code = readFileSync(join(distSrc, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
    for (const [pattern, what] of FORBIDDEN) assert.doesNotMatch(code, pattern, `${file} uses ${what}`);
  }
});
