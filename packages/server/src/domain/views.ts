// The read shapes of the contract (Sequence, Beat, SequenceSummary), derived from stored state.
import type { HistoryState } from "./history.ts";
import { type Beat, type SequenceDoc, totalDurationOf, wordOf } from "./model.ts";

export interface BeatView extends Beat {
  beat_number: number;
}

export interface SequenceMeta {
  version: number;
  updated_at: string;
  history: HistoryState;
}

export interface SequenceView {
  id: string;
  name: string;
  word: string;
  start_position: string | null;
  metadata: SequenceDoc["metadata"];
  beats: BeatView[];
  length: number;
  total_duration: number;
  version: number;
  history: HistoryState;
  created_at: string;
  updated_at: string;
}

export type SequenceSummaryView = Omit<SequenceView, "beats" | "history">;

export function beatView(beat: Beat, index: number): BeatView {
  return { ...beat, beat_number: index + 1 };
}

/** The fields a sequence and its summary share. */
function common(doc: SequenceDoc, meta: Omit<SequenceMeta, "history">): SequenceSummaryView {
  return {
    id: doc.id,
    name: doc.name,
    word: wordOf(doc.beats),
    start_position: doc.start_position,
    metadata: doc.metadata,
    length: doc.beats.length,
    total_duration: totalDurationOf(doc.beats),
    version: meta.version,
    created_at: doc.created_at,
    updated_at: meta.updated_at,
  };
}

export function sequenceView(doc: SequenceDoc, meta: SequenceMeta): SequenceView {
  return { ...common(doc, meta), beats: doc.beats.map(beatView), history: meta.history };
}

export function summaryView(doc: SequenceDoc, meta: Omit<SequenceMeta, "history">): SequenceSummaryView {
  return common(doc, meta);
}
