/**
 * The examples, as CI runs them: every `examples/<name>/package.json` with a `smoke` script is run with
 * `npm run smoke -w <package>` (after the root build, which `npm test` does first) and must exit 0. Each smoke script
 * starts what it needs on free ports, checks it end to end and stops it; its output is shown when it fails.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TIMEOUT_MS = 60_000;

const examples = readdirSync(join(root, 'examples'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((entry) => {
    try {
      const pkg = JSON.parse(readFileSync(join(root, 'examples', entry.name, 'package.json'), 'utf8')) as { name: string; scripts?: Record<string, string> };
      return pkg.scripts?.['smoke'] === undefined ? [] : [{ dir: entry.name, name: pkg.name }];
    } catch {
      return []; // no package.json: not an example workspace
    }
  })
  .sort((a, b) => a.dir.localeCompare(b.dir));

/** Run `npm run smoke -w <name>` in its own process group, so a timeout can stop npm and everything under it. */
function smoke(name: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string; timedOut: boolean }> {
  return new Promise((done, fail) => {
    const child = spawn('npm', ['run', 'smoke', '-w', name], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, output, timedOut });
    });
  });
}

describe('examples: npm run smoke', () => {
  it('finds the example workspaces', () => {
    assert.ok(examples.length >= 5, `expected the five examples, found ${examples.map((e) => e.dir).join(', ')}`);
  });

  for (const { dir, name } of examples) {
    it(`examples/${dir} (${name})`, { timeout: TIMEOUT_MS + 10_000 }, async () => {
      const { code, signal, output, timedOut } = await smoke(name);
      const what = timedOut ? `timed out after ${TIMEOUT_MS} ms` : `exited with ${code ?? signal}`;
      assert.equal(code, 0, `npm run smoke -w ${name} ${what}; its output:\n${output}`);
    });
  }
});
