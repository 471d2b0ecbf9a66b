/** The embedded implementations of the store, queue and bus interfaces (`--dev` and `--data-dir`). */
export { MemoryStore, type MemoryStoreOptions, type StoreSnapshot } from './memory-store.ts';
export { FileStore, loadConfigFile, type FileStoreOptions } from './file-store.ts';
export { MemoryQueue, type MemoryQueueOptions } from './memory-queue.ts';
export { MemoryBus, type MemoryBusOptions } from './memory-bus.ts';
