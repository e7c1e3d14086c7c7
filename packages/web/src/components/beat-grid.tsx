// The beats in order: letter, both motions, duration. Click to select; drag a beat onto another
// to move it there (the selected beat's form has buttons doing the same from the keyboard).
import { useState } from "preact/hooks";
import type { Beat } from "tka-sdk";
import { motionSummary } from "./motion.ts";

export function BeatGrid(props: {
  beats: Beat[];
  selectedId: string | null;
  onSelect: (id: string) => void;
  onMove: (beatId: string, position: number) => void;
  onAdd: () => void;
  disabled: boolean;
}) {
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<number | null>(null);
  return (
    <div class="grid-wrap">
      <ol class="beat-grid" aria-label="Beats">
        {props.beats.map((beat, index) => (
          <li
            key={beat.id}
            class={`beat${beat.id === props.selectedId ? " selected" : ""}${over === index ? " drop-target" : ""}${
              beat.is_blank ? " blank" : ""
            }`}
            data-beat-id={beat.id}
            draggable={!props.disabled && !beat.id.startsWith("pending-")}
            onDragStart={(e) => {
              e.dataTransfer?.setData("text/plain", beat.id);
              if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
              setDragging(beat.id);
            }}
            onDragEnd={() => {
              setDragging(null);
              setOver(null);
            }}
            onDragOver={(e) => {
              if (dragging === null) return;
              e.preventDefault();
              setOver(index);
            }}
            onDragLeave={() => setOver((current) => (current === index ? null : current))}
            onDrop={(e) => {
              e.preventDefault();
              const id = e.dataTransfer?.getData("text/plain") || dragging;
              setDragging(null);
              setOver(null);
              if (id && id !== beat.id) props.onMove(id, index);
            }}
          >
            <button
              type="button"
              class="beat-select"
              aria-pressed={beat.id === props.selectedId}
              onClick={() => props.onSelect(beat.id)}
            >
              <span class="beat-number">
                <span class="visually-hidden">Beat </span>
                {beat.beat_number}
              </span>
              <span class="beat-letter">{beat.is_blank ? "blank" : (beat.letter ?? "·")}</span>
              <span class="motion blue">
                <span class="visually-hidden">blue: </span>
                {motionSummary(beat.blue_motion)}
              </span>
              <span class="motion red">
                <span class="visually-hidden">red: </span>
                {motionSummary(beat.red_motion)}
              </span>
              <span class="beat-duration">{beat.duration} s</span>
            </button>
          </li>
        ))}
      </ol>
      <button
        type="button"
        class="add-beat"
        onClick={props.onAdd}
        disabled={props.disabled || props.beats.length >= 64}
      >
        Add beat
      </button>
    </div>
  );
}
