// The sequence's command history, newest first; undone commands are marked (redo re-applies them).
import { useEffect, useState } from "preact/hooks";
import type { HistoryEntry, TKA } from "tka-sdk";
import { describeFailure, type Failure } from "../api.ts";

const PAGE_SIZE = 15;

export function HistoryPanel(props: {
  client: TKA;
  sequenceId: string;
  /** The sequence's version: every change is read again. */
  version: number;
  onFailure: (failure: Failure) => void;
}) {
  const [entries, setEntries] = useState<HistoryEntry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    props.client.history
      .list(props.sequenceId, { limit: PAGE_SIZE })
      .then((page) => {
        if (!current) return;
        setEntries(page.data);
        setNext(page.has_more ? page.next_cursor : null);
      })
      .catch((error: unknown) => current && props.onFailure(describeFailure(error, "Reading the history")));
    return () => {
      current = false;
    };
  }, [props.client, props.sequenceId, props.version]);
  const more = async () => {
    if (next === null) return;
    try {
      const page = await props.client.history.list(props.sequenceId, { limit: PAGE_SIZE, cursor: next });
      setEntries([...entries, ...page.data]);
      setNext(page.has_more ? page.next_cursor : null);
    } catch (error) {
      props.onFailure(describeFailure(error, "Reading the history"));
    }
  };
  return (
    <section class="history" aria-labelledby="history-title">
      <h3 id="history-title">History</h3>
      <ol class="history-entries">
        {entries.map((entry) => (
          <li key={entry.id} class={entry.undone ? "undone" : ""}>
            <span class="history-description">{entry.description}</span>
            {entry.undone && <span class="badge">undone</span>}
            <time dateTime={entry.created_at}>{new Date(entry.created_at).toLocaleTimeString()}</time>
          </li>
        ))}
      </ol>
      {next !== null && (
        <button type="button" class="link" onClick={more}>
          Show older
        </button>
      )}
    </section>
  );
}
