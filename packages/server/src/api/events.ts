// The Events handlers: the SSE stream (replay after Last-Event-ID, then live) and the WebSocket
// endpoint, whose upgrade the Node server performs before Hono sees the request.

import type { EventDispatcher } from "../events/dispatcher.ts";
import { EventsExpiredError, InvalidEventIdError, UnknownEventIdError } from "../events/feed.ts";
import { eventFilter } from "../events/filter.ts";
import { type SseStreams, sseResponse } from "../events/sse.ts";
import type { EventsHandlers } from "../generated/handlers.ts";
import type { Problem } from "../generated/models.ts";
import { problemBody } from "../http/problem.ts";
import type { Store } from "../store/types.ts";
import { type AppContext, callerOf } from "./context.ts";

function problem<S extends 400 | 409>(c: AppContext, status: S, code: Problem["code"], title: string, detail: string) {
  const body = problemBody({ status, code, title, detail, instance: c.req.path, requestId: c.get("requestId") });
  return { status, body: body as unknown as Problem };
}

export interface EventsDeps {
  store: Store;
  dispatcher: EventDispatcher;
  /** Unsent bytes an SSE stream may have before it is ended as a slow consumer. */
  sendBufferBytes: number;
  onSlowConsumer?: () => void;
  /** Open SSE streams, ended at shutdown. */
  streams?: SseStreams;
}

export function eventsHandlers(deps: EventsDeps): EventsHandlers<AppContext> {
  return {
    async stream({ query, headers }, c) {
      try {
        return await sseResponse(c, {
          ...deps,
          projectId: callerOf(c).projectId,
          filter: eventFilter(query.types ?? [], query.sequence_id ?? []),
          lastEventId: headers["Last-Event-ID"] ?? null,
        });
      } catch (error) {
        if (error instanceof InvalidEventIdError) {
          return problem(c, 400, "INVALID_EVENT_ID", "Invalid event id", error.message);
        }
        if (error instanceof UnknownEventIdError) {
          return problem(c, 409, "UNKNOWN_EVENT_ID", "Unknown event id", error.message);
        }
        if (error instanceof EventsExpiredError) {
          return problem(c, 409, "EVENTS_EXPIRED", "Events expired", error.message);
        }
        throw error;
      }
    },
    async connectWebSocket(_input, c) {
      return problem(
        c,
        400,
        "BAD_REQUEST",
        "Bad request",
        "Open this endpoint with a WebSocket upgrade (Upgrade: websocket).",
      );
    },
  };
}
