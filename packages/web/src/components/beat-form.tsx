// The selected beat: move it (keyboard-accessible), insert before it, remove it, or edit its
// fields; Save sends only what changed, as one merge patch.
import { useEffect, useState } from "preact/hooks";
import type { Beat, BeatPatch, Motion, MotionPatch } from "tka-sdk";
import { LOCATIONS, MOTION_TYPES, ORIENTATIONS, ROTATIONS, TURNS } from "./motion.ts";

type Side = "blue" | "red";

interface Draft {
  letter: string;
  duration: string;
  is_blank: boolean;
  blue_reversal: boolean;
  red_reversal: boolean;
  blue_motion: Motion | null;
  red_motion: Motion | null;
}

const newMotion: Motion = {
  motion_type: "pro",
  prop_rot_dir: "cw",
  start_loc: "n",
  end_loc: "e",
  turns: 0,
  start_ori: "in",
  end_ori: "in",
};

function draftOf(beat: Beat): Draft {
  return {
    letter: beat.letter ?? "",
    duration: String(beat.duration),
    is_blank: beat.is_blank,
    blue_reversal: beat.blue_reversal,
    red_reversal: beat.red_reversal,
    blue_motion: beat.blue_motion,
    red_motion: beat.red_motion,
  };
}

function motionPatch(before: Motion | null, after: Motion | null): MotionPatch | null | undefined {
  if (after === null) return before === null ? undefined : null;
  if (before === null) return after;
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof Motion)[]) if (after[key] !== before[key]) patch[key] = after[key];
  return Object.keys(patch).length === 0 ? undefined : (patch as MotionPatch);
}

/** Only the fields the person changed. */
export function beatPatch(beat: Beat, draft: Draft): BeatPatch {
  const patch: BeatPatch = {};
  const letter = draft.letter.trim().toUpperCase();
  if (letter !== (beat.letter ?? "")) patch.letter = letter === "" ? null : letter;
  if (Number(draft.duration) !== beat.duration) patch.duration = Number(draft.duration);
  if (draft.is_blank !== beat.is_blank) patch.is_blank = draft.is_blank;
  if (draft.blue_reversal !== beat.blue_reversal) patch.blue_reversal = draft.blue_reversal;
  if (draft.red_reversal !== beat.red_reversal) patch.red_reversal = draft.red_reversal;
  const blue = motionPatch(beat.blue_motion, draft.blue_motion);
  if (blue !== undefined) patch.blue_motion = blue;
  const red = motionPatch(beat.red_motion, draft.red_motion);
  if (red !== undefined) patch.red_motion = red;
  return patch;
}

function Choice<T extends string | number>(props: {
  id: string;
  label: string;
  value: T;
  options: readonly T[];
  onChange: (value: T) => void;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={String(props.value)}
        onChange={(e) => {
          const raw = (e.target as HTMLSelectElement).value;
          props.onChange((typeof props.options[0] === "number" ? Number(raw) : raw) as T);
        }}
      >
        {props.options.map((o) => (
          <option key={String(o)} value={String(o)}>
            {String(o)}
          </option>
        ))}
      </select>
    </div>
  );
}

function MotionFields(props: { side: Side; motion: Motion | null; onChange: (motion: Motion | null) => void }) {
  const { side, motion } = props;
  const set = (change: Partial<Motion>) => props.onChange({ ...(motion ?? newMotion), ...change });
  return (
    <fieldset class={`motion-fields ${side}`}>
      <legend>{side === "blue" ? "Blue prop" : "Red prop"}</legend>
      <div class="field inline">
        <input
          id={`${side}-has-motion`}
          type="checkbox"
          checked={motion !== null}
          onChange={(e) => props.onChange((e.target as HTMLInputElement).checked ? (motion ?? newMotion) : null)}
        />
        <label for={`${side}-has-motion`}>Has a motion</label>
      </div>
      {motion !== null && (
        <div class="motion-grid">
          <Choice
            id={`${side}-type`}
            label="Motion"
            value={motion.motion_type}
            options={MOTION_TYPES}
            onChange={(v) => set({ motion_type: v })}
          />
          <Choice
            id={`${side}-rotation`}
            label="Rotation"
            value={motion.prop_rot_dir}
            options={ROTATIONS}
            onChange={(v) => set({ prop_rot_dir: v })}
          />
          <Choice
            id={`${side}-start`}
            label="From"
            value={motion.start_loc}
            options={LOCATIONS}
            onChange={(v) => set({ start_loc: v })}
          />
          <Choice
            id={`${side}-end`}
            label="To"
            value={motion.end_loc}
            options={LOCATIONS}
            onChange={(v) => set({ end_loc: v })}
          />
          <Choice
            id={`${side}-turns`}
            label="Turns"
            value={motion.turns}
            options={TURNS}
            onChange={(v) => set({ turns: v })}
          />
          <Choice
            id={`${side}-start-ori`}
            label="Start orientation"
            value={motion.start_ori}
            options={ORIENTATIONS}
            onChange={(v) => set({ start_ori: v })}
          />
          <Choice
            id={`${side}-end-ori`}
            label="End orientation"
            value={motion.end_ori}
            options={ORIENTATIONS}
            onChange={(v) => set({ end_ori: v })}
          />
        </div>
      )}
    </fieldset>
  );
}

export function BeatForm(props: {
  beat: Beat;
  count: number;
  disabled: boolean;
  onSave: (patch: BeatPatch) => void;
  onMove: (position: number) => void;
  onInsertBefore: () => void;
  onRemove: () => void;
}) {
  const { beat } = props;
  const [draft, setDraft] = useState<Draft>(() => draftOf(beat));
  // The beat's fields changed (saved here, or edited elsewhere): the form shows them. A move
  // only renumbers the beat, which keeps the form (and the focus on its buttons).
  const fields = JSON.stringify(draftOf(beat));
  useEffect(() => setDraft(JSON.parse(fields) as Draft), [fields]);
  const set = (change: Partial<Draft>) => setDraft({ ...draft, ...change });
  const index = beat.beat_number - 1;
  const pending = beat.id.startsWith("pending-");
  const patch = beatPatch(beat, draft);
  return (
    <section class="beat-form" aria-labelledby="beat-form-title">
      <h3 id="beat-form-title">Beat {beat.beat_number}</h3>
      <fieldset class="toolbar">
        <legend class="visually-hidden">Beat actions</legend>
        <button
          type="button"
          disabled={props.disabled || pending || index === 0}
          onClick={() => props.onMove(index - 1)}
        >
          Move earlier
        </button>
        <button
          type="button"
          disabled={props.disabled || pending || index === props.count - 1}
          onClick={() => props.onMove(index + 1)}
        >
          Move later
        </button>
        <button type="button" disabled={props.disabled || props.count >= 64} onClick={props.onInsertBefore}>
          Insert beat before
        </button>
        <button type="button" class="danger" disabled={props.disabled || pending} onClick={props.onRemove}>
          Remove beat
        </button>
      </fieldset>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (Object.keys(patch).length > 0) props.onSave(patch);
        }}
      >
        <div class="beat-basics">
          <div class="field">
            <label for="beat-letter">Letter</label>
            <input
              id="beat-letter"
              value={draft.letter}
              maxLength={1}
              pattern="[A-Za-z]?"
              title="One letter, A to Z, or empty for none"
              onInput={(e) => set({ letter: (e.target as HTMLInputElement).value })}
            />
          </div>
          <div class="field">
            <label for="beat-duration">Duration (s)</label>
            <input
              id="beat-duration"
              type="number"
              min={0.1}
              max={10}
              step={0.1}
              required
              value={draft.duration}
              onInput={(e) => set({ duration: (e.target as HTMLInputElement).value })}
            />
          </div>
          <div class="field inline">
            <input
              id="beat-blank"
              type="checkbox"
              checked={draft.is_blank}
              onChange={(e) => set({ is_blank: (e.target as HTMLInputElement).checked })}
            />
            <label for="beat-blank">Blank (rest)</label>
          </div>
          <div class="field inline">
            <input
              id="beat-blue-reversal"
              type="checkbox"
              checked={draft.blue_reversal}
              onChange={(e) => set({ blue_reversal: (e.target as HTMLInputElement).checked })}
            />
            <label for="beat-blue-reversal">Blue reversal</label>
          </div>
          <div class="field inline">
            <input
              id="beat-red-reversal"
              type="checkbox"
              checked={draft.red_reversal}
              onChange={(e) => set({ red_reversal: (e.target as HTMLInputElement).checked })}
            />
            <label for="beat-red-reversal">Red reversal</label>
          </div>
        </div>
        <MotionFields side="blue" motion={draft.blue_motion} onChange={(m) => set({ blue_motion: m })} />
        <MotionFields side="red" motion={draft.red_motion} onChange={(m) => set({ red_motion: m })} />
        <div class="form-actions">
          <button type="submit" disabled={props.disabled || pending || Object.keys(patch).length === 0}>
            Save beat
          </button>
          <button
            type="button"
            class="link"
            disabled={Object.keys(patch).length === 0}
            onClick={() => setDraft(draftOf(beat))}
          >
            Discard changes
          </button>
        </div>
      </form>
    </section>
  );
}
