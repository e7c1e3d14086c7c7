// The frames of consecutive events laid end to end in one buffer, so that what a subscriber
// lacks (every frame from its next position to the newest) is a view of that buffer: no copy
// per subscriber, one write per subscriber. Append-only: bytes once written are never
// overwritten (views handed to sockets may still be queued): growing takes a new buffer, and
// the old one lives on while views of it do.

const EMPTY = Buffer.alloc(0);
/** Smallest buffer taken when the run grows. */
const MIN_CAPACITY = 64 * 1024;

export class FrameRun {
  #buffer: Buffer = EMPTY;
  /** Bytes of #buffer in use. */
  #end = 0;
  /** Where each frame starts in #buffer; frame i is position #first + i. */
  #starts: number[] = [];
  #first = 0;
  /** Frames at the front of #starts no longer needed (dropped when the buffer is next replaced). */
  #dropped = 0;

  /** The position the next appended frame must have (NaN while empty: any). */
  get next(): number {
    return this.#starts.length > this.#dropped ? this.#first + this.#starts.length : Number.NaN;
  }

  /** The first position still held (NaN while empty). */
  get first(): number {
    return this.#starts.length > this.#dropped ? this.#first + this.#dropped : Number.NaN;
  }

  /** Appends the frame of `position`, which must be `next` unless the run is empty. */
  append(position: number, frame: Buffer): void {
    if (this.#starts.length === this.#dropped) {
      // Empty: start over at any position, after the bytes already written (they may still be viewed).
      this.#starts = [];
      this.#dropped = 0;
      this.#first = position;
    } else if (position !== this.#first + this.#starts.length) {
      throw new Error(`frame run: appended position ${position}, expected ${this.#first + this.#starts.length}`);
    }
    if (this.#end + frame.length > this.#buffer.length) this.#grow(frame.length);
    frame.copy(this.#buffer, this.#end);
    this.#starts.push(this.#end);
    this.#end += frame.length;
  }

  /** Positions up to `position` are no longer needed. */
  trim(position: number): void {
    const n = Math.min(position - this.#first + 1, this.#starts.length);
    if (n > this.#dropped) this.#dropped = n;
  }

  /**
   * The frames of positions `from` to `to`, as views of at most `maxBytes` each, cut at frame
   * boundaries (a frame larger than that is a view of its own); null unless both are held.
   */
  views(from: number, to: number, maxBytes: number): Buffer[] | null {
    const i = from - this.#first;
    const j = to - this.#first;
    if (!(i >= this.#dropped && i <= j && j < this.#starts.length)) return null;
    const end = (this.#starts[j + 1] as number | undefined) ?? this.#end;
    const views: Buffer[] = [];
    let start = this.#starts[i] as number;
    while (start < end) {
      if (end - start <= maxBytes) {
        views.push(this.#buffer.subarray(start, end));
        break;
      }
      // The last frame start within maxBytes of `start` (binary search over the starts).
      let lo = i + 1;
      let hi = j;
      let cut = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const at = this.#starts[mid] as number;
        if (at <= start) lo = mid + 1;
        else if (at - start <= maxBytes) {
          cut = at;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (cut < 0) {
        // One frame over maxBytes: alone (its end is the next start, or the end).
        const next = this.#starts.findIndex((s) => s > start);
        cut = next < 0 || next > j ? end : (this.#starts[next] as number);
      }
      views.push(this.#buffer.subarray(start, cut));
      start = cut;
    }
    return views;
  }

  #grow(extra: number): void {
    const liveStart = (this.#starts[this.#dropped] as number | undefined) ?? this.#end;
    const live = this.#end - liveStart;
    const buffer = Buffer.allocUnsafeSlow(Math.max(MIN_CAPACITY, 2 * (live + extra)));
    this.#buffer.copy(buffer, 0, liveStart, this.#end);
    this.#starts = this.#starts.slice(this.#dropped).map((s) => s - liveStart);
    this.#first += this.#dropped;
    this.#dropped = 0;
    this.#buffer = buffer;
    this.#end = live;
  }
}
