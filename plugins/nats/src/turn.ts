/**
 * Work handed to nats.js once per turn of the event loop. nats.js writes its outgoing buffer to the socket in a
 * microtask after the first command of a synchronous run, so commands issued while handling different sockets
 * (each HTTP request, each function reply is its own I/O callback) leave in one write each. Running them together
 * from `setImmediate` — after the poll phase handled every ready socket — sends them in one write.
 */
export class TurnBatch {
  #pending: (() => void)[] = [];
  #immediate: NodeJS.Immediate | undefined;

  /** Run `fn` later in this turn of the event loop, with everything else `run` got in this turn. */
  run(fn: () => void): void {
    this.#pending.push(fn);
    this.#immediate ??= setImmediate(() => this.flush());
  }

  /** Run what is pending now (also called by `setImmediate`). A throwing function does not stop the others. */
  flush(): void {
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#immediate = undefined;
    const pending = this.#pending;
    this.#pending = [];
    for (const fn of pending) {
      try {
        fn();
      } catch {
        // Each function reports its own failure (they settle promises or log); nothing to do here.
      }
    }
  }
}
