/**
 * `FileStore`: the `ConfigStore` of `--data-dir DIR`. A `MemoryStore` whose every write is first persisted to
 * `DIR/config.json` (the whole state, written atomically with fsync, writes serialised), so a restart sees
 * everything and revisions keep increasing. A file it cannot read is a loud `GW_ERR_STORE`, never an empty start.
 *
 * Values must be JSON (they are stored as JSON). One process per directory.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewayError } from '../errors.ts';
import { consoleLogger, type Logger } from '../logger.ts';
import type { ConfigStore, StoreEntry, StoreListener } from '../store.ts';
import { readIfExists, writeAtomic } from './fs.ts';
import { MemoryStore, type StoreSnapshot } from './memory-store.ts';
import { isRecord } from '../event.ts';

export interface FileStoreOptions {
  /** The data directory; created when missing. */
  readonly dir: string;
  /** File name inside `dir` (default `config.json`). */
  readonly fileName?: string;
  readonly logger?: Logger;
}

/** The on-disk document. */
interface ConfigFile {
  readonly format: typeof FORMAT;
  readonly version: 1;
  readonly revision: number;
  readonly entries: readonly StoreEntry[];
}

const FORMAT = 'switchyard.config';

/** File-backed `ConfigStore`; see the module comment. */
export class FileStore implements ConfigStore {
  readonly #dir: string;
  readonly #file: string;
  readonly #logger: Logger;
  #memory: MemoryStore | undefined;

  constructor(options: FileStoreOptions) {
    this.#dir = options.dir;
    this.#file = join(options.dir, options.fileName ?? 'config.json');
    this.#logger = options.logger ?? consoleLogger({ component: 'config-store' });
  }

  /** The file the state lives in. */
  get file(): string {
    return this.#file;
  }

  /** Load the file (a missing file is an empty store; an unreadable one rejects with `GW_ERR_STORE`). */
  async open(): Promise<void> {
    if (this.#memory !== undefined) return;
    try {
      await mkdir(this.#dir, { recursive: true });
    } catch (err) {
      throw new GatewayError('GW_ERR_STORE', `Cannot create the data directory ${this.#dir}: ${(err as Error).message}`, { cause: err });
    }
    const initial = await loadConfigFile(this.#file);
    this.#memory = new MemoryStore({ initial, persist: (snapshot) => this.#save(snapshot), logger: this.#logger });
  }

  async get<T = unknown>(kind: string, space: string, id: string): Promise<StoreEntry<T> | undefined> {
    return this.#store().get<T>(kind, space, id);
  }

  async list<T = unknown>(kind: string, space?: string): Promise<StoreEntry<T>[]> {
    return this.#store().list<T>(kind, space);
  }

  async create<T>(kind: string, space: string, id: string, value: T): Promise<StoreEntry<T> | undefined> {
    return this.#store().create(kind, space, id, value);
  }

  async update<T>(kind: string, space: string, id: string, value: T, expectedRevision?: number): Promise<StoreEntry<T> | undefined> {
    return this.#store().update(kind, space, id, value, expectedRevision);
  }

  async delete(kind: string, space: string, id: string): Promise<boolean> {
    return this.#store().delete(kind, space, id);
  }

  async spaces(): Promise<string[]> {
    return this.#store().spaces();
  }

  async watch(listener: StoreListener): Promise<() => void> {
    return this.#store().watch(listener);
  }

  /** Wait for a write in progress, then stop. */
  async close(): Promise<void> {
    await this.#memory?.close();
  }

  #store(): MemoryStore {
    if (this.#memory === undefined) throw new GatewayError('GW_ERR_STORE', 'The file config store is not open.');
    return this.#memory;
  }

  async #save(snapshot: StoreSnapshot): Promise<void> {
    const doc: ConfigFile = { format: FORMAT, version: 1, revision: snapshot.revision, entries: snapshot.entries };
    try {
      await writeAtomic(this.#file, `${JSON.stringify(doc, null, 2)}\n`);
    } catch (err) {
      throw new GatewayError('GW_ERR_STORE', `Cannot write the config file ${this.#file}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** Read and validate a config file; `undefined` when it does not exist. */
export async function loadConfigFile(file: string): Promise<StoreSnapshot | undefined> {
  let text: string | undefined;
  try {
    text = await readIfExists(file);
  } catch (err) {
    throw new GatewayError('GW_ERR_STORE', `Cannot read the config file ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (text === undefined) return undefined;
  const corrupt = (why: string, cause?: unknown): GatewayError =>
    new GatewayError(
      'GW_ERR_STORE',
      `The config file ${file} is corrupt (${why}); refusing to start over it. Restore it from a backup or move it away to start empty.`,
      cause === undefined ? {} : { cause },
    );
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw corrupt(`not JSON: ${(err as Error).message}`, err);
  }
  if (!isRecord(doc) || doc.format !== FORMAT) throw corrupt(`not a ${FORMAT} document`);
  if (doc.version !== 1) throw corrupt(`unsupported version ${JSON.stringify(doc.version)}`);
  if (!isRevision(doc.revision) || !Array.isArray(doc.entries)) throw corrupt('missing revision or entries');
  const seen = new Set<string>();
  const entries: StoreEntry[] = [];
  for (const [i, e] of (doc.entries as unknown[]).entries()) {
    if (!isRecord(e) || typeof e.kind !== 'string' || typeof e.space !== 'string' || typeof e.id !== 'string' || !('value' in e)) {
      throw corrupt(`entry ${i} is malformed`);
    }
    if (!isRevision(e.revision) || e.revision > doc.revision) throw corrupt(`entry ${i} has a bad revision`);
    const key = JSON.stringify([e.kind, e.space, e.id]);
    if (seen.has(key)) throw corrupt(`entry ${i} is a duplicate`);
    seen.add(key);
    entries.push({ kind: e.kind, space: e.space, id: e.id, value: e.value, revision: e.revision });
  }
  return { revision: doc.revision, entries };
}

function isRevision(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
