// A Store that reports each commit's sequence when the commit starts and when it ends, so
// caches of what was read can drop it (see view-cache.ts). Everything else passes through.
import type { Commit, Store } from "../store/types.ts";

export interface CommitObserver {
  commitStarted(sequenceId: string): void;
  commitEnded(sequenceId: string): void;
}

export function watchCommits(store: Store, observer: CommitObserver): Store {
  const commit = async (c: Commit) => {
    observer.commitStarted(c.sequence_id);
    try {
      return await store.commit(c);
    } finally {
      observer.commitEnded(c.sequence_id);
    }
  };
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property) {
      if (property === "commit") return commit;
      const value = Reflect.get(target, property) as unknown;
      if (typeof value !== "function") return value;
      // Methods run on the store itself (its private fields are not on the proxy).
      let method = bound.get(property);
      if (method === undefined) {
        method = value.bind(target);
        bound.set(property, method);
      }
      return method;
    },
  });
}
