// Every mutation of a sequence is one of these commands. A command records the state on both
// sides of the change, so applying and reverting it are exact inverses, and it is plain JSON so
// the history can be stored and reloaded as is.
import type { Beat, Metadata, SequenceDoc } from "./model.ts";

/** The fields of a sequence that a patch can change. */
export interface SequenceFields {
  name: string;
  start_position: string | null;
  metadata: Metadata;
  beats: Beat[];
}

export type SequenceField = keyof SequenceFields;
export const sequenceFieldOrder: readonly SequenceField[] = ["name", "start_position", "metadata", "beats"];

export type Command =
  | { kind: "sequence.create"; sequence: SequenceDoc }
  | { kind: "sequence.delete"; sequence: SequenceDoc }
  | { kind: "sequence.update"; from: Partial<SequenceFields>; to: Partial<SequenceFields> }
  | { kind: "beats.replace"; from: Beat[]; to: Beat[] }
  | { kind: "beat.add"; index: number; beat: Beat }
  | { kind: "beat.update"; index: number; from: Beat; to: Beat }
  | { kind: "beat.move"; beat_id: string; from: number; to: number }
  | { kind: "beat.remove"; index: number; beat: Beat };

export type CommandKind = Command["kind"];

/**
 * Thrown when a command does not fit the state it is applied to: the stored history and the
 * stored sequence disagree. Never caused by client input.
 */
export class HistoryCorruptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HistoryCorruptError";
  }
}

function existing(doc: SequenceDoc | null, kind: CommandKind): SequenceDoc {
  if (doc === null) throw new HistoryCorruptError(`${kind} on a sequence that does not exist`);
  return doc;
}

function beatAt(doc: SequenceDoc, index: number, id: string, kind: CommandKind): void {
  if (doc.beats[index]?.id !== id) throw new HistoryCorruptError(`${kind}: beat ${id} is not at index ${index}`);
}

function moved<T>(items: readonly T[], from: number, to: number): T[] {
  const out = items.slice();
  const [item] = out.splice(from, 1);
  out.splice(to, 0, item as T);
  return out;
}

/** The sequence after `command` (`null`: it does not exist). */
export function applyCommand(doc: SequenceDoc | null, command: Command): SequenceDoc | null {
  switch (command.kind) {
    case "sequence.create":
      if (doc !== null) throw new HistoryCorruptError("sequence.create on a sequence that exists");
      return command.sequence;
    case "sequence.delete":
      existing(doc, command.kind);
      return null;
    case "sequence.update":
      return { ...existing(doc, command.kind), ...command.to };
    case "beats.replace":
      return { ...existing(doc, command.kind), beats: command.to };
    case "beat.add": {
      const current = existing(doc, command.kind);
      const beats = current.beats.slice();
      beats.splice(command.index, 0, command.beat);
      return { ...current, beats };
    }
    case "beat.update": {
      const current = existing(doc, command.kind);
      beatAt(current, command.index, command.from.id, command.kind);
      const beats = current.beats.slice();
      beats[command.index] = command.to;
      return { ...current, beats };
    }
    case "beat.move": {
      const current = existing(doc, command.kind);
      beatAt(current, command.from, command.beat_id, command.kind);
      return { ...current, beats: moved(current.beats, command.from, command.to) };
    }
    case "beat.remove": {
      const current = existing(doc, command.kind);
      beatAt(current, command.index, command.beat.id, command.kind);
      return { ...current, beats: current.beats.filter((_, i) => i !== command.index) };
    }
  }
}

/** The sequence before `command`: the exact inverse of applyCommand. */
export function revertCommand(doc: SequenceDoc | null, command: Command): SequenceDoc | null {
  switch (command.kind) {
    case "sequence.create":
      existing(doc, command.kind);
      return null;
    case "sequence.delete":
      if (doc !== null) throw new HistoryCorruptError("undo of sequence.delete on a sequence that exists");
      return command.sequence;
    case "sequence.update":
      return { ...existing(doc, command.kind), ...command.from };
    case "beats.replace":
      return { ...existing(doc, command.kind), beats: command.from };
    case "beat.add":
      return applyCommand(doc, { kind: "beat.remove", index: command.index, beat: command.beat });
    case "beat.update":
      return applyCommand(doc, { kind: "beat.update", index: command.index, from: command.to, to: command.from });
    case "beat.move":
      return applyCommand(doc, { kind: "beat.move", beat_id: command.beat_id, from: command.to, to: command.from });
    case "beat.remove":
      return applyCommand(doc, { kind: "beat.add", index: command.index, beat: command.beat });
  }
}

const fieldNames: Record<SequenceField, string> = {
  name: "name",
  start_position: "start position",
  metadata: "metadata",
  beats: "beats",
};

function listed(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** The fields a sequence.update changes, in a stable order. */
export function changedFields(command: Extract<Command, { kind: "sequence.update" }>): SequenceField[] {
  return sequenceFieldOrder.filter((field) => field in command.to);
}

/** What the command does, for people: `Add beat 3`, `Rename to "Flow"`. */
export function describeCommand(command: Command): string {
  switch (command.kind) {
    case "sequence.create":
      return `Create sequence ${JSON.stringify(command.sequence.name)}`;
    case "sequence.delete":
      return `Delete sequence ${JSON.stringify(command.sequence.name)}`;
    case "sequence.update": {
      const fields = changedFields(command);
      if (fields.length === 1) {
        const { to } = command;
        if (to.name !== undefined) return `Rename to ${JSON.stringify(to.name)}`;
        if (to.start_position !== undefined) {
          return to.start_position === null
            ? "Clear start position"
            : `Set start position to ${JSON.stringify(to.start_position)}`;
        }
        if (to.metadata !== undefined) return "Change metadata";
        return "Replace beats";
      }
      return `Update ${listed(fields.map((f) => fieldNames[f]))}`;
    }
    case "beats.replace":
      return `Replace all beats (${command.to.length})`;
    case "beat.add":
      return `Add beat ${command.index + 1}`;
    case "beat.update":
      return `Update beat ${command.index + 1}`;
    case "beat.move":
      return `Move beat ${command.from + 1} to ${command.to + 1}`;
    case "beat.remove":
      return `Remove beat ${command.index + 1}`;
  }
}
