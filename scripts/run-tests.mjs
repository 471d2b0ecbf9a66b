#!/usr/bin/env node
// Runs every compiled test file of every workspace in one `node --test` run, so the summary counts them all.
// Only `*.test.js` files run (fixtures and helpers under test/ are not tests).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['core/dist/test', 'providers', 'plugins', 'distribution/dist/test', 'test/dist/src', 'examples'];

function collect(dir, out) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'src' && !dir.includes('dist')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) collect(path, out);
    else if (entry.name.endsWith('.test.js') && path.includes(`dist`)) out.push(path);
  }
  return out;
}

const files = roots.flatMap((root) => collect(root, [])).sort();
if (files.length === 0) {
  console.error('run-tests: no compiled test files found; did the build run?');
  process.exit(1);
}
const filter = process.argv.slice(2);
const selected = filter.length ? files.filter((f) => filter.some((s) => f.includes(s))) : files;
console.log(`run-tests: ${selected.length} test files`);
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=120000', ...selected], { stdio: 'inherit' });
process.exit(result.status ?? 1);
