// The Sequences, Beats and History handlers: thin adapters from the generated skeleton's typed
// input to the service, and from its answers to the declared responses.
import type { ViewCache } from "../cache/view-cache.ts";
import type { BeatsHandlers, HistoryHandlers, SequencesHandlers } from "../generated/handlers.ts";
import { etagOf } from "../service/if-match.ts";
import type { SequenceService } from "../service/sequences.ts";
import {
  type AppContext,
  callerOf,
  mutationOptions,
  type SerializedAnswer,
  serialize,
  serialized,
  withEtag,
} from "./context.ts";

/** `views`: where sequence reads may be answered from memory (see cache/view-cache.ts). */
export function sequencesHandlers(
  service: SequenceService,
  views?: ViewCache<SerializedAnswer>,
): SequencesHandlers<AppContext> {
  return {
    async list({ query }, c) {
      const { limit = 20, cursor, ...filter } = query;
      const page = await service.list(callerOf(c), filter, { limit, cursor });
      return { status: 200, body: page };
    },
    async create({ body }, c) {
      return withEtag(201, await service.create(callerOf(c), body, mutationOptions(c, undefined, 201)));
    },
    async get({ path }, c) {
      const caller = callerOf(c);
      if (views === undefined) return withEtag(200, await service.get(caller, path.sequence_id));
      // Kept serialised: the same view is sent many times, so it is turned into JSON bytes once.
      const answer = await views.read(caller.projectId, path.sequence_id, async () => {
        const view = await service.get(caller, path.sequence_id);
        return serialize(view, { ETag: etagOf(view.version) });
      });
      return serialized(c, 200, answer);
    },
    async update({ path, headers, body }, c) {
      return withEtag(
        200,
        await service.update(callerOf(c), path.sequence_id, body, mutationOptions(c, headers["If-Match"], 200)),
      );
    },
    async delete({ path, headers }, c) {
      return {
        status: 200,
        body: await service.delete(callerOf(c), path.sequence_id, mutationOptions(c, headers["If-Match"], 200)),
      };
    },
  };
}

export function beatsHandlers(service: SequenceService): BeatsHandlers<AppContext> {
  return {
    async add({ path, headers, body }, c) {
      return withEtag(
        201,
        await service.addBeat(callerOf(c), path.sequence_id, body, mutationOptions(c, headers["If-Match"], 201)),
      );
    },
    async replace({ path, headers, body }, c) {
      const options = mutationOptions(c, headers["If-Match"], 200);
      return withEtag(200, await service.replaceBeats(callerOf(c), path.sequence_id, body.beats, options));
    },
    async get({ path }, c) {
      return { status: 200, body: await service.getBeat(callerOf(c), path.sequence_id, path.beat_id) };
    },
    async update({ path, headers, body }, c) {
      const options = mutationOptions(c, headers["If-Match"], 200);
      return withEtag(200, await service.updateBeat(callerOf(c), path.sequence_id, path.beat_id, body, options));
    },
    async move({ path, headers, body }, c) {
      const options = mutationOptions(c, headers["If-Match"], 200);
      return withEtag(200, await service.moveBeat(callerOf(c), path.sequence_id, path.beat_id, body.position, options));
    },
    async remove({ path, headers }, c) {
      const options = mutationOptions(c, headers["If-Match"], 200);
      return withEtag(200, await service.removeBeat(callerOf(c), path.sequence_id, path.beat_id, options));
    },
  };
}

export function historyHandlers(service: SequenceService): HistoryHandlers<AppContext> {
  const action = async (direction: "undo" | "redo", sequenceId: string, ifMatch: string | undefined, c: AppContext) => {
    const options = mutationOptions(c, ifMatch, 200);
    const result = await (direction === "undo" ? service.undo : service.redo).call(
      service,
      callerOf(c),
      sequenceId,
      options,
    );
    // The ETag is the version the action produced (also for a sequence it removed).
    const version = result.sequence?.version ?? (await service.versionOf(callerOf(c), sequenceId));
    return { status: 200 as const, body: result, headers: { ETag: etagOf(version) } };
  };
  return {
    undo: ({ path, headers }, c) => action("undo", path.sequence_id, headers["If-Match"], c),
    redo: ({ path, headers }, c) => action("redo", path.sequence_id, headers["If-Match"], c),
    async list({ path, query }, c) {
      const page = await service.listHistory(callerOf(c), path.sequence_id, {
        limit: query.limit ?? 20,
        cursor: query.cursor,
      });
      return { status: 200, body: page };
    },
  };
}
