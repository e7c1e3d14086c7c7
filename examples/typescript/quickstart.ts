// The TKA API from TypeScript: create and edit a sequence, undo and redo, follow live events,
// and handle a conflict. Run against a started server:
//
//   TKA_BASE_URL=http://127.0.0.1:8080 TKA_API_KEY=$(cat data/api-key) node quickstart.ts
//
// The client reads TKA_BASE_URL and TKA_API_KEY from the environment.
import { PreconditionFailedError, TKA } from "tka-sdk";

const client = new TKA();

// 1. Create a sequence from explicit beats, then edit it: the word is derived from the letters.
let seq = await client.sequences.create({
  name: "Example flow",
  beats: [{ letter: "A" }, { letter: "B" }, { letter: "C" }],
});
console.log(`created ${seq.id} "${seq.name}": word ${seq.word}`);
seq = await client.beats.add(seq.id, { letter: "D", duration: 2 });
seq = await client.beats.move(seq.id, seq.beats[3].id, { position: 0 });
seq = await client.beats.update(seq.id, seq.beats[1].id, {
  blue_motion: { motion_type: "pro", prop_rot_dir: "cw", start_loc: "n", end_loc: "e", turns: 1 },
});
console.log(`edited: word ${seq.word}, ${seq.length} beats, ${seq.total_duration} s`);

// 2. Undo and redo: every edit is a command with a description.
const undone = await client.history.undo(seq.id);
console.log(`undid "${undone.entry.description}": word ${undone.sequence?.word}`);
const redone = await client.history.redo(seq.id);
console.log(`redid "${redone.entry.description}": next undo is "${redone.history.undo_description}"`);

// 3. Follow live events: subscribe over the WebSocket, change the sequence once the server
//    confirmed the subscription, and print the events as they arrive.
const ws = client.events.connectWebSocket();
ws.send({ type: "subscribe", sequence_ids: [seq.id] });
let seen = 0;
for await (const message of ws) {
  if (message.type === "subscribed") {
    await client.sequences.update(seq.id, { name: "Example flow, live" });
    await client.beats.add(seq.id, { letter: "E" });
  }
  if (message.type === "event" && message.event.type !== "unknown") {
    console.log(`event ${message.event.type} -> version ${message.event.sequence_version}`);
    if (++seen === 2) break;
  }
}
ws.close();

// 4. Handle a conflict: an edit made on an old version (If-Match) is refused with 412 instead of
//    overwriting someone else's change. Read the latest version and apply the edit to it.
const stale = await client.sequences.get(seq.id);
await client.sequences.update(seq.id, { metadata: { tempo: 96 } }); // someone else's edit
try {
  seq = await client.sequences.update(seq.id, { name: "Mine" }, { if_match: stale.version });
} catch (error) {
  if (!(error instanceof PreconditionFailedError)) throw error;
  console.log(`conflict: ${error.code} (request ${error.requestId}); retrying on the latest version`);
  const latest = await client.sequences.get(seq.id);
  seq = await client.sequences.update(seq.id, { name: "Mine" }, { if_match: latest.version });
}
console.log(`done: "${seq.name}" at version ${seq.version}, metadata ${JSON.stringify(seq.metadata)}`);
