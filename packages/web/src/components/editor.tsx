// One sequence: its name, word and beats, undo / redo (showing what they would do), history,
// and the selected beat's form. Edits go through the EditorSession (optimistic, If-Match, 412).
import { useEffect, useState } from "preact/hooks";
import type { TKA } from "tka-sdk";
import type { Failure } from "../api.ts";
import type { EditorSession, SessionState } from "../editor/session.ts";
import { BeatForm } from "./beat-form.tsx";
import { BeatGrid } from "./beat-grid.tsx";
import { HistoryPanel } from "./history-panel.tsx";

export function Editor(props: {
  client: TKA;
  session: EditorSession;
  state: SessionState;
  onFailure: (failure: Failure) => void;
}) {
  const { session, state } = props;
  const sequence = state.sequence;
  const [selected, setSelected] = useState<string | null>(null);
  const [name, setName] = useState(sequence?.name ?? "");
  const confirmedName = state.confirmed?.name;
  // A rename from elsewhere (or undo) shows up in the field.
  useEffect(() => {
    if (confirmedName !== undefined) setName(confirmedName);
  }, [confirmedName]);

  // Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y) outside text fields.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) return;
      if (!(e.ctrlKey || e.metaKey)) return;
      const key = e.key.toLowerCase();
      if (key === "z" && !e.shiftKey) {
        e.preventDefault();
        void session.history("undo");
      } else if ((key === "z" && e.shiftKey) || key === "y") {
        e.preventDefault();
        void session.history("redo");
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [session]);

  if (state.loading && sequence === null) return <p class="placeholder">Loading…</p>;
  if (state.gone || sequence === null) {
    return (
      <section class="editor" aria-label="Editor">
        <p class="placeholder">This sequence no longer exists (it was deleted here or by another client).</p>
      </section>
    );
  }
  const beat = sequence.beats.find((b) => b.id === selected) ?? null;
  const history = state.confirmed?.history ?? sequence.history;
  const busy = state.pending > 0;
  return (
    <section class="editor" aria-labelledby="editor-title">
      <header class="editor-head">
        <h2 id="editor-title">{sequence.name}</h2>
        <p class="word" aria-live="polite">
          <span class="label">Word</span> <span class="word-value">{sequence.word || "—"}</span>
          <span class="facts">
            {sequence.length} beats · {Math.round(sequence.total_duration * 100) / 100} s · version{" "}
            <span class="version">{state.confirmed?.version}</span>
            {busy && <span class="saving"> · saving…</span>}
          </span>
        </p>
        <form
          class="rename"
          onSubmit={(e) => {
            e.preventDefault();
            const trimmed = name.trim();
            if (trimmed !== "" && trimmed !== sequence.name) void session.edit({ kind: "rename", name: trimmed });
          }}
        >
          <label for="sequence-name">Name</label>
          <input
            id="sequence-name"
            value={name}
            maxLength={100}
            required
            onInput={(e) => setName((e.target as HTMLInputElement).value)}
          />
          <button type="submit" disabled={name.trim() === "" || name.trim() === sequence.name}>
            Rename
          </button>
        </form>
        <fieldset class="history-buttons">
          <legend class="visually-hidden">Undo and redo</legend>
          <button type="button" class="undo" disabled={!history.can_undo} onClick={() => void session.history("undo")}>
            {history.can_undo ? `Undo: ${history.undo_description}` : "Nothing to undo"}
          </button>
          <button type="button" class="redo" disabled={!history.can_redo} onClick={() => void session.history("redo")}>
            {history.can_redo ? `Redo: ${history.redo_description}` : "Nothing to redo"}
          </button>
          <button type="button" class="danger" onClick={() => void session.delete()}>
            Delete sequence
          </button>
        </fieldset>
      </header>
      <BeatGrid
        beats={sequence.beats}
        selectedId={selected}
        onSelect={setSelected}
        onMove={(beatId, position) => void session.edit({ kind: "move-beat", beatId, position })}
        onAdd={() => void session.edit({ kind: "add-beat", beat: {} })}
        disabled={false}
      />
      <div class="editor-panels">
        {beat ? (
          <BeatForm
            key={beat.id}
            beat={beat}
            count={sequence.beats.length}
            disabled={false}
            onSave={(patch) => void session.edit({ kind: "update-beat", beatId: beat.id, patch })}
            onMove={(position) => void session.edit({ kind: "move-beat", beatId: beat.id, position })}
            onInsertBefore={() => void session.edit({ kind: "add-beat", beat: { position: beat.beat_number - 1 } })}
            onRemove={() => {
              setSelected(null);
              void session.edit({ kind: "remove-beat", beatId: beat.id });
            }}
          />
        ) : (
          <p class="placeholder beat-hint">
            Select a beat to edit, move or remove it. Drag a beat onto another to move it.
          </p>
        )}
        <HistoryPanel
          client={props.client}
          sequenceId={session.id}
          version={state.confirmed?.version ?? 0}
          onFailure={props.onFailure}
        />
      </div>
    </section>
  );
}
