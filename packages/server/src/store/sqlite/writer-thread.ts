// The writer thread: owns the database's writing connection and runs the write queue, so that
// transactions and their fsync (synchronous=FULL) block this thread, not the server's event loop.
// Answers go back once a group commit is durable, all the answers of a group in one message.
import { parentPort, workerData } from "node:worker_threads";
import { openDatabase } from "./database.ts";
import { type Reply, type Request, replyOf } from "./thread-protocol.ts";
import { WriteQueue } from "./write-queue.ts";
import { SqliteWrites } from "./writes.ts";

const port = parentPort;
if (port === null) throw new Error("writer-thread.ts runs as a worker thread");
const db = openDatabase((workerData as { path: string }).path);
let replies: Reply[] = [];
const send = () => {
  if (replies.length === 0) return;
  port.postMessage(replies);
  replies = [];
};
const queue = new WriteQueue(new SqliteWrites(db), send);

port.on("message", (requests: Request[]) => {
  for (const request of requests) {
    if ("commit" in request) {
      queue.commit(request.commit, (outcome) => replies.push(replyOf(request.id, outcome)));
    } else if ("call" in request) {
      replies.push(replyOf(request.id, queue.run(request.call)));
    } else {
      queue.flush();
      db.close();
      replies.push({ id: request.id, ok: true, value: undefined });
      send();
      port.close();
      return;
    }
  }
  // Answers that are ready (other writes, and commits they flushed); commits still queued are
  // answered after their group commit.
  send();
});
