/** File helpers shared by the file-backed store and the delivery journal. */
import { open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/** Flush a directory's entries (a rename or a new file) to disk. A no-op where directories cannot be opened. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
  } catch {
    return; // e.g. Windows: directories cannot be opened for fsync
  }
  try {
    await handle.sync();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL' && (err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
  } finally {
    await handle.close();
  }
}

/** Replace `file` atomically (temporary file, fsync, rename), then fsync its directory so the rename is durable. */
export async function writeAtomic(file: string, data: string): Promise<void> {
  await writeFileAtomic(file, data, { fsync: true });
  await fsyncDir(dirname(file));
}

/** Read a file, or `undefined` when it does not exist. */
export async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
