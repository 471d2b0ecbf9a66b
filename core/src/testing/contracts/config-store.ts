/**
 * The `ConfigStore` contract: every implementation (memory, file, JetStream KV) runs these exact tests.
 * Timing assumptions are generous: watch notifications may arrive asynchronously, over a socket.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGatewayError } from '../../errors.ts';
import type { ConfigStore, StoreChange } from '../../store.ts';
import { sleep, waitFor } from '../helpers.ts';

/** What a `configStoreContract` factory returns: a store not yet opened, and optionally a way to reopen its data. */
export interface ConfigStoreHarness {
  readonly store: ConfigStore;
  /** A new store over the same data (not yet opened); given by persistent implementations. */
  readonly reopen?: () => Promise<ConfigStore>;
  /** Remove what the factory made (directories, buckets). Called after the contract closed the stores. */
  cleanup(): Promise<void>;
}

export type ConfigStoreFactory = () => Promise<ConfigStoreHarness>;

interface Context {
  readonly store: ConfigStore;
  readonly harness: ConfigStoreHarness;
  /** Open a store and close it after the test. */
  readonly open: (store: ConfigStore) => Promise<ConfigStore>;
}

/** Register the `ConfigStore` contract tests (node:test) for one implementation. */
export function configStoreContract(name: string, factory: ConfigStoreFactory): void {
  const test = (title: string, fn: (ctx: Context) => Promise<void>): void => {
    it(title, async () => {
      const harness = await factory();
      const opened: ConfigStore[] = [];
      const open = async (store: ConfigStore): Promise<ConfigStore> => {
        await store.open();
        opened.push(store);
        return store;
      };
      try {
        await fn({ store: await open(harness.store), harness, open });
      } finally {
        for (const store of opened) await store.close().catch(() => undefined);
        await harness.cleanup();
      }
    });
  };

  describe(`ConfigStore contract: ${name}`, () => {
    test('creates, reads, updates and deletes', async ({ store }) => {
      assert.equal(await store.get('functions', 'default', 'f1'), undefined);
      const created = await store.create('functions', 'default', 'f1', { url: 'http://a' });
      assert.ok(created);
      assert.deepEqual({ ...created, revision: 0 }, { kind: 'functions', space: 'default', id: 'f1', value: { url: 'http://a' }, revision: 0 });
      assert.ok(created.revision > 0);
      assert.deepEqual(await store.get('functions', 'default', 'f1'), created);
      assert.equal(await store.create('functions', 'default', 'f1', { url: 'http://b' }), undefined, 'create of an existing key');
      const updated = await store.update('functions', 'default', 'f1', { url: 'http://c' });
      assert.ok(updated && updated.revision > created.revision);
      assert.deepEqual((await store.get('functions', 'default', 'f1'))?.value, { url: 'http://c' });
      assert.equal(await store.update('functions', 'default', 'missing', { url: 'x' }), undefined, 'update of a missing key');
      assert.equal(await store.delete('functions', 'default', 'f1'), true);
      assert.equal(await store.delete('functions', 'default', 'f1'), false);
      assert.equal(await store.get('functions', 'default', 'f1'), undefined);
      const again = await store.create('functions', 'default', 'f1', { url: 'http://d' });
      assert.ok(again && again.revision > updated.revision, 'a re-created key gets a higher revision');
    });

    test('keeps kinds and spaces apart', async ({ store }) => {
      await store.create('functions', 'a', 'x', 1);
      await store.create('eventtypes', 'a', 'x', 2);
      await store.create('functions', 'b', 'x', 3);
      assert.equal((await store.get('functions', 'a', 'x'))?.value, 1);
      assert.equal((await store.get('eventtypes', 'a', 'x'))?.value, 2);
      assert.equal((await store.get('functions', 'b', 'x'))?.value, 3);
      assert.equal(await store.get('subscriptions', 'a', 'x'), undefined);
    });

    test('stores any JSON value and awkward ids intact', async ({ store }) => {
      const value = { s: 'ünïcødé ✓', n: -1.5, b: false, z: null, a: [1, 'two', { three: [] }], o: { nested: { deep: true } } };
      const ids = ['GET%2Fpath%3A1', 'a:b:c', 'x/y', 'with space', 'dots.in.id', 'ünï', '*', '>'];
      for (const id of ids) assert.ok(await store.create('cors', 'team.one', id, value), id);
      for (const id of ids) assert.deepEqual((await store.get('cors', 'team.one', id))?.value, value, id);
      assert.deepEqual((await store.list('cors', 'team.one')).map((e) => e.id), [...ids].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    });

    test('lists sorted by space then id, in one space or all', async ({ store }) => {
      for (const [space, id] of [['beta', 'm'], ['alpha', 'z'], ['beta', 'a'], ['alpha', 'b'], ['gamma', 'k']] as const) {
        await store.create('functions', space, id, { space, id });
      }
      await store.create('eventtypes', 'alpha', 'other-kind', {});
      const all = await store.list('functions');
      assert.deepEqual(all.map((e) => `${e.space}/${e.id}`), ['alpha/b', 'alpha/z', 'beta/a', 'beta/m', 'gamma/k']);
      for (const e of all) assert.deepEqual(e.value, { space: e.space, id: e.id });
      assert.deepEqual((await store.list('functions', 'beta')).map((e) => e.id), ['a', 'm']);
      assert.deepEqual(await store.list('functions', 'nowhere'), []);
      assert.deepEqual(await store.list('nokind'), []);
    });

    test('lists the spaces that hold resources', async ({ store }) => {
      assert.deepEqual(await store.spaces(), []);
      await store.create('functions', 'beta', 'f', {});
      await store.create('eventtypes', 'alpha', 'e', {});
      await store.create('eventtypes', 'beta', 'e', {});
      assert.deepEqual(await store.spaces(), ['alpha', 'beta']);
      await store.delete('eventtypes', 'alpha', 'e');
      assert.deepEqual(await store.spaces(), ['beta']);
    });

    test('update with expectedRevision is a compare-and-set', async ({ store }) => {
      const first = await store.create('functions', 'default', 'f', { v: 1 });
      assert.ok(first);
      const second = await store.update('functions', 'default', 'f', { v: 2 }, first.revision);
      assert.ok(second && second.revision > first.revision);
      await assert.rejects(store.update('functions', 'default', 'f', { v: 3 }, first.revision), (err: unknown) => {
        assert.ok(isGatewayError(err), 'a GatewayError');
        assert.equal(err.code, 'GW_ERR_CONFLICT');
        assert.equal(err.status, 409);
        return true;
      });
      assert.deepEqual(await store.get('functions', 'default', 'f'), second);
      assert.equal(await store.update('functions', 'default', 'absent', { v: 1 }, 1), undefined);
    });

    test('concurrent creates of one key: exactly one wins', async ({ store }) => {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.create('functions', 'default', 'race', { writer: i })));
      const winners = results.filter((r) => r !== undefined);
      assert.equal(winners.length, 1);
      assert.deepEqual(await store.get('functions', 'default', 'race'), winners[0]);
    });

    test('concurrent compare-and-set updates: exactly one wins', async ({ store }) => {
      const base = await store.create('functions', 'default', 'cas', { writer: -1 });
      assert.ok(base);
      const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => store.update('functions', 'default', 'cas', { writer: i }, base.revision)));
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { code?: string }).code, 'GW_ERR_CONFLICT');
      assert.deepEqual(await store.get('functions', 'default', 'cas'), (won[0] as PromiseFulfilledResult<unknown>).value);
    });

    test('callers cannot change stored values by mutating objects', async ({ store }) => {
      const value = { nested: { n: 1 }, list: [1] };
      await store.create('functions', 'default', 'f', value);
      value.nested.n = 2;
      value.list.push(2);
      const read = await store.get<typeof value>('functions', 'default', 'f');
      assert.deepEqual(read?.value, { nested: { n: 1 }, list: [1] });
      read.value.nested.n = 3;
      (await store.list<typeof value>('functions'))[0]!.value.list.push(3);
      assert.deepEqual((await store.get('functions', 'default', 'f'))?.value, { nested: { n: 1 }, list: [1] });
    });

    test('watch delivers the current entries before resolving, then every change in order', async ({ store }) => {
      const a = await store.create('functions', 'default', 'a', { v: 1 });
      const b = await store.create('eventtypes', 'other', 'b', { v: 2 });
      const seen: StoreChange[] = [];
      const stop = await store.watch((change) => seen.push(change));
      const byId = (changes: StoreChange[]): Record<string, unknown> =>
        Object.fromEntries(changes.map((c): [string, unknown] => (c.op === 'put' ? [c.entry.id, c.entry] : [c.key.id, 'deleted'])));
      assert.equal(seen.length, 2, 'snapshot delivered before watch resolved');
      assert.deepEqual(byId(seen), { a, b });
      assert.ok(seen.every((change) => change.at === undefined), 'the current entries carry no write time');
      const before = Date.now();
      const a2 = await store.update('functions', 'default', 'a', { v: 3 });
      await store.delete('eventtypes', 'other', 'b');
      const c = await store.create('subscriptions', 'default', 'c', { v: 4 });
      await waitFor(() => seen.length === 5, 5_000, 'three changes');
      for (const change of seen.slice(2)) {
        // When it was written (the writer's or the server's clock; a second of slack for the latter).
        assert.ok(typeof change.at === 'number' && change.at >= before - 1_000 && change.at <= Date.now() + 1_000, `a live change carries its write time, got ${change.at}`);
      }
      assert.deepEqual(seen.slice(2).map(({ at: _at, ...change }) => change), [
        { op: 'put', entry: a2 },
        { op: 'delete', key: { kind: 'eventtypes', space: 'other', id: 'b' } },
        { op: 'put', entry: c },
      ]);
      stop();
    });

    test('watch stops after unsubscribing; other watchers continue', async ({ store }) => {
      const stopped: StoreChange[] = [];
      const running: StoreChange[] = [];
      const stop = await store.watch((change) => stopped.push(change));
      await store.watch((change) => running.push(change));
      await store.create('functions', 'default', 'before', {});
      await waitFor(() => stopped.length === 1 && running.length === 1, 5_000, 'first change seen by both');
      stop();
      stop(); // idempotent
      await store.create('functions', 'default', 'after', {});
      await waitFor(() => running.length === 2, 5_000, 'second change seen by the running watcher');
      await sleep(100);
      assert.equal(stopped.length, 1);
    });

    test('a throwing watcher does not break writes or other watchers', async ({ store }) => {
      const seen: StoreChange[] = [];
      await store.watch(() => {
        throw new Error('watcher bug');
      });
      await store.watch((change) => seen.push(change));
      assert.ok(await store.create('functions', 'default', 'f', {}));
      await waitFor(() => seen.length === 1, 5_000, 'change seen');
    });

    test('persists across reopen', async ({ store, harness, open }) => {
      if (harness.reopen === undefined) return;
      await store.create('functions', 'default', 'kept', { v: 1 });
      const kept = await store.update('functions', 'default', 'kept', { v: 2 });
      await store.create('functions', 'default', 'gone', {});
      await store.delete('functions', 'default', 'gone');
      const last = await store.create('eventtypes', 'team.one', 'e:1', { schema: { type: 'object' } });
      assert.ok(kept && last);
      await store.close();
      const again = await open(await harness.reopen());
      assert.deepEqual(await again.get('functions', 'default', 'kept'), kept);
      assert.equal(await again.get('functions', 'default', 'gone'), undefined);
      assert.deepEqual(await again.list('eventtypes'), [last]);
      assert.deepEqual(await again.spaces(), ['default', 'team.one']);
      const seen: StoreChange[] = [];
      await again.watch((change) => seen.push(change));
      assert.equal(seen.length, 2);
      const next = await again.update('functions', 'default', 'kept', { v: 3 }, kept.revision);
      assert.ok(next && next.revision > Math.max(kept.revision, last.revision), 'revisions keep increasing');
      assert.equal(await again.create('functions', 'default', 'kept', {}), undefined);
    });
  });
}
