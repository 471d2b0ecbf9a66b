/**
 * The queue depth as best known: consumer info (cluster-wide: waiting + in flight + waiting to be retried) read
 * every `refreshMs`, plus what this gateway enqueued and finished since. A publish or ack of this gateway that
 * overlaps a reading makes it ambiguous (the server may or may not have counted it), so such a reading is
 * discarded, unless the two before it were too: then it is taken as is (a busy gateway must still see what other
 * gateways did; the error is at most the operations in flight and is corrected by the next clean reading).
 */
export class DepthGauge {
  readonly #read: () => Promise<number>;
  readonly #refreshMs: number;
  #value = 0;
  #changes = 0;
  #timer: NodeJS.Timeout | undefined;
  #reading = false;
  #busy = 0;
  #discarded = 0;
  #stopped = false;

  constructor(read: () => Promise<number>, refreshMs: number) {
    this.#read = read;
    this.#refreshMs = refreshMs;
  }

  get value(): number {
    return Math.max(0, this.#value);
  }

  /** A change of `n` is under way (a publish or an ack awaiting its confirmation). */
  begin(): void {
    this.#busy += 1;
    this.#changes += 1;
  }

  /** The change begun with `begin` is done: the depth changed by `n`. */
  end(n: number): void {
    this.#busy -= 1;
    this.add(n);
  }

  add(n: number): void {
    this.#value += n;
    this.#changes += 1;
  }

  /** Read now, then every `refreshMs` until `stop`. */
  start(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.#refreshMs);
    this.#timer.unref();
  }

  async refresh(): Promise<void> {
    if (this.#reading || this.#stopped) return;
    this.#reading = true;
    const before = this.#changes;
    const busyBefore = this.#busy > 0;
    try {
      const value = await this.#read();
      const clean = !busyBefore && this.#busy === 0 && this.#changes === before;
      if (this.#stopped) return;
      if (clean || this.#discarded >= 2) {
        this.#value = value;
        this.#discarded = 0;
      } else {
        this.#discarded += 1;
      }
    } catch {
      // keep the estimate; the next reading may succeed
    } finally {
      this.#reading = false;
    }
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
