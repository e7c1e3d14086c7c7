// Log lines, written in batches: at most one write per `maxDelayMs` (or per 64 KiB) instead of
// one synchronous write per line, which cost a system call (and a wake-up of the reader) per
// request. Every line still goes out, in order: `flush()` writes what is pending at once (call it
// on exit and before direct output).

export interface LineBuffer {
  /** Queues one line (without its newline). */
  write(line: string): void;
  /** Writes everything queued, now. */
  flush(): void;
}

export interface LineBufferOptions {
  /** Receives the batches: text of whole lines, each ending in a newline. */
  sink: (chunk: string) => void;
  /** Pending text that triggers an immediate flush. */
  maxBytes?: number;
  /** How long a line may wait for others (default 20 ms). */
  maxDelayMs?: number;
  /** Runs the deferred flush (default: an unref'd timer of `maxDelayMs`). */
  schedule?: (flush: () => void) => void;
}

export function lineBuffer(options: LineBufferOptions): LineBuffer {
  const maxBytes = options.maxBytes ?? 64 * 1024;
  const maxDelayMs = options.maxDelayMs ?? 20;
  const schedule = options.schedule ?? ((flush) => setTimeout(flush, maxDelayMs).unref());
  let pending = "";
  let scheduled = false;
  const flush = () => {
    if (pending === "") return;
    const chunk = pending;
    pending = "";
    options.sink(chunk);
  };
  const deferred = () => {
    scheduled = false;
    flush();
  };
  return {
    write(line) {
      pending += `${line}\n`;
      if (pending.length >= maxBytes) flush();
      if (!scheduled && pending !== "") {
        scheduled = true;
        schedule(deferred);
      }
    },
    flush,
  };
}
