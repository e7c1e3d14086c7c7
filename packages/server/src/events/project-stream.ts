// One project's live stream on this instance: the events handed to the fan-out that some
// subscriber may still lack (the window), the pass over the subscribers under way, and the
// window's frames laid end to end per transport (frame-run.ts), so that a subscriber's batch is
// a view of one buffer. The dispatcher (dispatcher.ts) drives it.
import { type BatchSource, type Delivery, DeliveryBatch } from "./delivery.ts";
import { FrameRun } from "./frame-run.ts";

/** A follower of one project's stream: receives consecutive deliveries after its cursor. */
export interface StreamSubscriber {
  /** The last position it has (passed on or filtered out). */
  readonly cursor: number;
  /**
   * The events after its cursor, in position order, starting at cursor + 1 (a batch starting
   * beyond that means the subscriber fell out of the window: it reads the gap from the log).
   */
  receive(batch: DeliveryBatch): void;
  /** The stream cannot continue gaplessly (events it needed were pruned); the subscriber is removed. */
  lost(): void;
}

export class ProjectStream implements BatchSource {
  readonly projectId: string;
  /** The last position handed to the fan-out; -1 until the stream knows where the project stands. */
  delivered = -1;
  /** The newest position known to be committed. */
  known = 0;
  /** Events after `delivered`, waiting for the ones before them (or for the window to have room). */
  readonly parked = new Map<number, Delivery>();
  readonly subscribers = new Set<StreamSubscriber>();
  /** Events handed to the fan-out that some subscriber may still lack: positions finished + 1 .. delivered. */
  window: Delivery[] = [];
  /** Every subscriber has every position up to this one. */
  finished = -1;
  /** The pass under way: whom it visits, the next one, and the newest position when it started. */
  pass: { order: StreamSubscriber[]; next: number; head: number } | null = null;
  /** Fan-out slices run so far (each one event-loop turn). */
  turns = 0;
  reading = false;
  retryMs = 0;
  retryTimer: NodeJS.Timeout | undefined;
  lastError: unknown = null;
  readonly ready: Promise<void>;
  /** The window's WebSocket frames and SSE messages, built when a subscriber of that kind needs them. */
  #ws: FrameRun | undefined;
  #sse: FrameRun | undefined;

  constructor(projectId: string, ready: (stream: ProjectStream) => Promise<void>) {
    this.projectId = projectId;
    this.ready = ready(this);
  }

  /** Joins at its cursor (it has everything up to it); requires cursor >= delivered. */
  add(subscriber: StreamSubscriber): void {
    this.subscribers.add(subscriber);
  }

  remove(subscriber: StreamSubscriber): void {
    this.subscribers.delete(subscriber);
  }

  /**
   * The window's events after `cursor`. A cursor before the window (cannot happen while the
   * window holds every unfinished position) gets a batch that starts later: the subscriber sees
   * the gap and reads it from the log.
   */
  batchAfter(cursor: number): DeliveryBatch {
    const base = this.window[0]?.position ?? this.delivered + 1;
    return new DeliveryBatch(this, Math.max(cursor + 1, base), this.delivered);
  }

  /** Every subscriber has every position up to `position`: the window and the frames let go of them. */
  finish(position: number): Delivery[] {
    const done = this.window.findIndex((d) => d.position > position);
    const finished = done < 0 ? this.window.splice(0) : this.window.splice(0, done);
    this.finished = position;
    this.#ws?.trim(position);
    this.#sse?.trim(position);
    return finished;
  }

  /** Starts over at `position` with nothing pending (after events were pruned under the stream). */
  reset(position: number): void {
    this.window = [];
    this.pass = null;
    this.delivered = position;
    this.finish(position);
  }

  deliveries(first: number, last: number): Delivery[] {
    const base = this.window[0]?.position ?? this.delivered + 1;
    return this.window.slice(first - base, last - base + 1);
  }

  frames(kind: "ws" | "sse", first: number, last: number, maxBytes: number): Buffer[] | null {
    const base = this.window[0]?.position;
    if (base === undefined) return null;
    if (kind === "ws") this.#ws ??= new FrameRun();
    else this.#sse ??= new FrameRun();
    const run = (kind === "ws" ? this.#ws : this.#sse) as FrameRun;
    // Bring the run up to the window's newest event (from the window's oldest when it is empty).
    const next = Number.isNaN(run.next) ? base : run.next;
    for (let p = next; p <= this.delivered; p++) {
      const delivery = this.window[p - base] as Delivery;
      run.append(p, kind === "ws" ? delivery.wsFrame : delivery.sseMessage);
    }
    return run.views(first, last, maxBytes);
  }
}
