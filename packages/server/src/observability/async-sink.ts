// Where the log's batches go: the standard output written from libuv's thread pool, so a slow
// reader (a full pipe, a log collector that lags, a disk busy with other work) never blocks the
// event loop. process.stdout writes files and pipes synchronously on Linux: under the benchmark,
// those write() calls stalled requests by 5-50 ms whenever the disk was busy (docs/performance.md).
//
// One write at a time, in order; whatever arrives meanwhile goes out with the next write. Memory is
// bounded: beyond `maxPendingBytes` waiting, new text is dropped and counted, and once writing
// catches up `onDropped` is told how many batches were lost (the log says so). `flushSync` writes
// what waits at once (on exit); a write already handed to the thread pool completes on its own,
// so at exit its batch and the last one may land in either order, but both land.
import { write as fsWrite, writeSync as fsWriteSync } from "node:fs";

export interface AsyncSink {
  write(chunk: string): void;
  /** Writes what is waiting now, synchronously (on exit). */
  flushSync(): void;
}

export interface AsyncSinkOptions {
  fd: number;
  /** Text waiting to be written beyond which new text is dropped (default 8 MiB). */
  maxPendingBytes?: number;
  /** Called once writing caught up after some batches were dropped. */
  onDropped?: (batches: number) => void;
  /** For tests: the asynchronous and synchronous writes (default: node:fs). */
  write?: (fd: number, data: Buffer, done: (error: Error | null, written: number) => void) => void;
  writeSync?: (fd: number, data: Buffer) => number;
}

export function asyncSink(options: AsyncSinkOptions): AsyncSink {
  const maxPending = options.maxPendingBytes ?? 8 * 1024 * 1024;
  const write =
    options.write ??
    ((fd: number, data: Buffer, done: (error: Error | null, written: number) => void) =>
      fsWrite(fd, data, 0, data.byteLength, null, (error, written) => done(error, written)));
  const writeSync = options.writeSync ?? ((fd: number, data: Buffer) => fsWriteSync(fd, data));
  let pending: string[] = [];
  let pendingBytes = 0;
  let writing = false;
  let dropped = 0;

  const next = () => {
    if (pending.length === 0) {
      writing = false;
      if (dropped > 0) {
        const count = dropped;
        dropped = 0;
        options.onDropped?.(count);
      }
      return;
    }
    writing = true;
    const data = Buffer.from(pending.join(""));
    pending = [];
    pendingBytes = 0;
    send(data);
  };
  const send = (data: Buffer) => {
    write(options.fd, data, (error, written) => {
      if (error !== null) {
        // A non-blocking descriptor that is full: try again shortly. Anything else (the reader is
        // gone): this batch cannot be written.
        if ((error as NodeJS.ErrnoException).code === "EAGAIN") setTimeout(() => send(data), 5).unref();
        else {
          dropped++;
          next();
        }
        return;
      }
      if (written < data.byteLength) send(data.subarray(written));
      else next();
    });
  };

  return {
    write(chunk) {
      if (pendingBytes + chunk.length > maxPending) {
        dropped++;
        return;
      }
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (!writing) next();
    },
    flushSync() {
      if (pending.length === 0) return;
      const data = Buffer.from(pending.join(""));
      pending = [];
      pendingBytes = 0;
      try {
        let offset = 0;
        while (offset < data.byteLength) offset += writeSync(options.fd, data.subarray(offset));
      } catch {
        // Nowhere to write to (the reader is gone): nothing more can be done at exit.
      }
    },
  };
}
