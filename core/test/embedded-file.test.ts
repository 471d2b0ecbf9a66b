import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FileStore, loadConfigFile } from '../src/embedded/file-store.ts';
import { MemoryQueue } from '../src/embedded/memory-queue.ts';
import type { DeliveryQueueOptions } from '../src/testing/index.ts';
import { captureLogger, configStoreContract, deliveryQueueContract, makeDelivery, recorder, waitFor } from '../src/testing/index.ts';
import type { StoreChange } from '../src/store.ts';

const tempDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'switchyard-embedded-'));
const removeDir = (dir: string) => () => rm(dir, { recursive: true, force: true });

configStoreContract('FileStore', async () => {
  const dir = await tempDir();
  const make = (): FileStore => new FileStore({ dir, logger: captureLogger() });
  return { store: make(), reopen: async () => make(), cleanup: removeDir(dir) };
});

const journaled = (extra: { fsync?: boolean; compactBytes?: number } = {}) => async (options: DeliveryQueueOptions) => {
  const dir = await tempDir();
  const make = (): MemoryQueue => new MemoryQueue({ ...options, ...extra, journalDir: dir, logger: captureLogger() });
  return { queue: make(), reopen: async () => make(), cleanup: removeDir(dir) };
};
deliveryQueueContract('MemoryQueue with a journal', journaled());
deliveryQueueContract('MemoryQueue with a journal, no fdatasync, compacting often', journaled({ fsync: false, compactBytes: 1_000 }));

describe('FileStore specifics', () => {
  for (const [what, content] of [
    ['not JSON', '{"format":"switchyard.config","version":1,"revision":3,"entries":[{"kind"'],
    ['empty', ''],
    ['another document', '{"hello":"world"}'],
    ['a bad entry', '{"format":"switchyard.config","version":1,"revision":1,"entries":[{"kind":"functions","space":"s","id":"f","revision":2,"value":{}}]}'],
  ] as const) {
    it(`refuses to open a config file that is ${what}, and leaves it alone`, async () => {
      const dir = await tempDir();
      try {
        await writeFile(join(dir, 'config.json'), content);
        const store = new FileStore({ dir });
        await assert.rejects(store.open(), (err: Error & { code?: string }) => {
          assert.equal(err.code, 'GW_ERR_STORE');
          assert.match(err.message, /config\.json is corrupt/);
          return true;
        });
        await assert.rejects(store.get('functions', 's', 'f'), { code: 'GW_ERR_STORE' });
        assert.equal(await readFile(join(dir, 'config.json'), 'utf8'), content);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  it('has written every change when the write resolves, and leaves no temporary files', async () => {
    const dir = await tempDir();
    try {
      const store = new FileStore({ dir });
      await store.open();
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.create('functions', 'default', `f${i}`, { i })));
      await store.delete('functions', 'default', 'f3');
      const onDisk = await loadConfigFile(store.file);
      assert.equal(onDisk?.entries.length, 19);
      assert.deepEqual(await readdir(dir), ['config.json']);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a write that cannot be persisted fails loudly and changes nothing', async () => {
    const dir = await tempDir();
    try {
      const store = new FileStore({ dir, logger: captureLogger() });
      await store.open();
      const seen: StoreChange[] = [];
      await store.watch((change) => seen.push(change));
      await rm(dir, { recursive: true });
      await writeFile(dir, 'not a directory');
      await assert.rejects(store.create('functions', 'default', 'f', {}), { code: 'GW_ERR_STORE' });
      assert.equal(await store.get('functions', 'default', 'f'), undefined);
      assert.equal(seen.length, 0);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('MemoryQueue journal', () => {
  const journal = (dir: string): string => join(dir, 'deliveries.jsonl');

  it('ignores a torn last line with a warning', async () => {
    const dir = await tempDir();
    try {
      const first = new MemoryQueue({ journalDir: dir, logger: captureLogger() });
      const batch = [makeDelivery(), makeDelivery(), makeDelivery()];
      await first.enqueue(batch);
      await first.close();
      await appendFile(journal(dir), '{"t":"e","d":{"id":"torn","space":"def');
      const logger = captureLogger();
      const again = new MemoryQueue({ journalDir: dir, logger });
      const { calls, handler } = recorder();
      await again.start(handler);
      await waitFor(() => calls.length === 3);
      assert.deepEqual(new Set(calls.map((c) => c.id)), new Set(batch.map((d) => d.id)));
      assert.equal(logger.records.filter((r) => r.level === 'warn' && /torn/.test(r.msg ?? '')).length, 1);
      assert.ok((await readFile(journal(dir), 'utf8')).endsWith('\n'), 'rewritten without the torn line');
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start over a corrupt line that is not the last, and leaves the journal alone', async () => {
    const dir = await tempDir();
    try {
      const content = `{"t":"h","v":1}\n{"t":"e","d":garbage}\n{"t":"c","id":"x","ok":true}\n`;
      await writeFile(journal(dir), content);
      const queue = new MemoryQueue({ journalDir: dir, logger: captureLogger() });
      await assert.rejects(queue.start(async () => ({ ok: true })), /corrupt at line 2/);
      await assert.rejects(queue.enqueue([makeDelivery()]), { code: 'GW_ERR_QUEUE_UNAVAILABLE', status: 503 });
      assert.equal(await readFile(journal(dir), 'utf8'), content);
      await queue.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('compacts as it grows, keeping exactly the unfinished deliveries', async () => {
    const dir = await tempDir();
    try {
      const keep = new Set<string>();
      const queue = new MemoryQueue({ journalDir: dir, compactBytes: 4_096, logger: captureLogger() });
      await queue.start(async (d) => (keep.has(d.id) ? new Promise(() => undefined) : { ok: true }));
      for (let i = 0; i < 50; i++) {
        const batch = Array.from({ length: 10 }, () => makeDelivery());
        if (i % 10 === 0) keep.add(batch[0]!.id);
        await queue.enqueue(batch);
        await waitFor(() => queue.depth() === keep.size);
      }
      await queue.close();
      const size = (await stat(journal(dir))).size;
      assert.ok(size < 24_000, `journal is ${size} bytes after ~500 deliveries`);
      const again = new MemoryQueue({ journalDir: dir, logger: captureLogger() });
      const { calls, handler } = recorder();
      await again.start(handler);
      await waitFor(() => again.depth() === 0);
      assert.deepEqual(new Set(calls.map((c) => c.id)), keep);
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('survives a crash (SIGKILL) right after enqueue resolved', { timeout: 60_000 }, async () => {
    const dir = await tempDir();
    try {
      const self = fileURLToPath(import.meta.url);
      const script = fileURLToPath(new URL(`./fixtures/journal-crash${self.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
      const args = [...(script.endsWith('.ts') ? ['--import', 'tsx'] : []), script, dir, '200'];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      let out = '';
      const ids = await new Promise<string[]>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          if (out.includes('\n')) resolve((JSON.parse(out) as { ids: string[] }).ids);
        });
        child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
      });
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      assert.equal(ids.length, 200);
      const queue = new MemoryQueue({ journalDir: dir, logger: captureLogger() });
      const { calls, handler } = recorder();
      await queue.start(handler);
      await waitFor(() => queue.depth() === 0, 10_000);
      assert.deepEqual(new Set(calls.map((c) => c.id)), new Set(ids));
      await queue.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
