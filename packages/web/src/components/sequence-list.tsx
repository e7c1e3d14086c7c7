// The project's sequences, newest first: search by name, one page at a time, and a form to create one.
import { useEffect, useRef, useState } from "preact/hooks";
import { BadRequestError, type SequenceSummary, type TKA } from "tka-sdk";
import { describeFailure, type Failure } from "../api.ts";

const PAGE_SIZE = 10;

export function SequenceList(props: {
  client: TKA;
  selectedId: string | null;
  /** Changes when the list may be stale (a live event): it is read again. */
  refreshKey: number;
  onSelect: (id: string) => void;
  onFailure: (failure: Failure) => void;
}) {
  const [query, setQuery] = useState("");
  const [search, setSearch] = useState("");
  // Cursors of the pages before the current one (the first page has none).
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [items, setItems] = useState<SequenceSummary[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [name, setName] = useState("");
  const [length, setLength] = useState("8");
  const [creating, setCreating] = useState(false);
  const [reload, setReload] = useState(0);
  const cursor = cursors[cursors.length - 1];
  const latest = useRef(0);

  // Typing settles for a moment before the search is sent; a new search starts at page one.
  useEffect(() => {
    const timer = setTimeout(() => {
      setSearch(query.trim());
      setCursors([undefined]);
    }, 250);
    return () => clearTimeout(timer);
  }, [query]);

  useEffect(() => {
    const call = ++latest.current;
    setLoading(true);
    props.client.sequences
      .list({ limit: PAGE_SIZE, ...(cursor ? { cursor } : {}), ...(search ? { name_contains: search } : {}) })
      .then((page) => {
        if (call !== latest.current) return;
        setItems(page.data);
        setNext(page.has_more ? page.next_cursor : null);
      })
      .catch((error: unknown) => {
        if (call !== latest.current) return;
        // A cursor past an item deleted meanwhile is refused: start again at the first page.
        if (cursor !== undefined && error instanceof BadRequestError) setCursors([undefined]);
        else props.onFailure(describeFailure(error, "Listing sequences"));
      })
      .finally(() => {
        if (call === latest.current) setLoading(false);
      });
  }, [props.client, search, cursor, props.refreshKey, reload]);

  const create = async (event: Event) => {
    event.preventDefault();
    setCreating(true);
    try {
      const made = await props.client.sequences.create({ name: name.trim(), length: Number(length) });
      setName("");
      setCursors([undefined]);
      setReload((n) => n + 1);
      props.onSelect(made.id);
    } catch (error) {
      props.onFailure(describeFailure(error, "Creating a sequence"));
    } finally {
      setCreating(false);
    }
  };

  return (
    <nav class="sequences" aria-label="Sequences">
      <h2>Sequences</h2>
      <form class="create" onSubmit={create}>
        <label for="new-name">New sequence</label>
        <input
          id="new-name"
          value={name}
          maxLength={100}
          required
          placeholder="Name"
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
        />
        <label for="new-length">Beats</label>
        <input
          id="new-length"
          type="number"
          min={1}
          max={64}
          value={length}
          onInput={(e) => setLength((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={creating || name.trim() === ""}>
          Create
        </button>
      </form>
      <label for="search">Search by name</label>
      <input id="search" type="search" value={query} onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
      <ul class="sequence-items" aria-busy={loading}>
        {items.map((s) => (
          <li key={s.id}>
            <a
              href={`#/sequences/${encodeURIComponent(s.id)}`}
              aria-current={s.id === props.selectedId ? "page" : undefined}
              onClick={() => props.onSelect(s.id)}
            >
              <span class="sequence-name">{s.name}</span>
              <span class="sequence-word">{s.word || "—"}</span>
              <span class="sequence-length">{s.length} beats</span>
            </a>
          </li>
        ))}
        {!loading && items.length === 0 && (
          <li class="empty">{search ? "No sequence matches." : "No sequences yet."}</li>
        )}
      </ul>
      <div class="pager">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={next === null} onClick={() => next && setCursors([...cursors, next])}>
          Next page
        </button>
      </div>
    </nav>
  );
}
