// Log lines, written in batches: one write per event-loop turn (or per 64 KiB) instead of one
// synchronous write per line, which cost a system call per request. Every line still goes out,
// in order: `flush()` writes what is pending at once (call it on exit and before direct output).

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
  /** Runs the deferred flush (setImmediate: after the current turn's I/O callbacks). */
  schedule?: (flush: () => void) => void;
}

export function lineBuffer(options: LineBufferOptions): LineBuffer {
  const maxBytes = options.maxBytes ?? 64 * 1024;
  const schedule = options.schedule ?? ((flush) => setImmediate(flush).unref());
  let pending = "";
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === "") return;
    const chunk = pending;
    pending = "";
    options.sink(chunk);
  };
  return {
    write(line) {
      pending += `${line}\n`;
      if (pending.length >= maxBytes) flush();
      else if (!scheduled) {
        scheduled = true;
        schedule(flush);
      }
    },
    flush,
  };
}
