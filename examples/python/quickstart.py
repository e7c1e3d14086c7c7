"""The TKA API from Python: create and edit a sequence, undo and redo, follow live events, and
handle a conflict. Run against a started server:

    TKA_BASE_URL=http://127.0.0.1:8080 TKA_API_KEY=$(cat data/api-key) python quickstart.py

The client reads TKA_BASE_URL and TKA_API_KEY from the environment. The WebSocket needs the
asyncio client (`AsyncTka`); everything else reads the same with the synchronous `Tka`.
"""

from __future__ import annotations

import asyncio

from tka import AsyncTka, PreconditionFailedError, models


async def main() -> None:
    async with AsyncTka() as client:
        # 1. Create a sequence from explicit beats, then edit it: the word follows the letters.
        seq = await client.sequences.create(
            models.SequenceCreate(
                name="Example flow",
                beats=[models.BeatInput(letter=letter) for letter in "ABC"],
            )
        )
        print(f'created {seq.id} "{seq.name}": word {seq.word}')
        seq = await client.beats.add(seq.id, models.BeatCreate(letter="D", duration=2))
        seq = await client.beats.move(
            seq.id, seq.beats[3].id, models.BeatMove(position=0)
        )
        seq = await client.beats.update(
            seq.id,
            seq.beats[1].id,
            models.BeatPatch(
                blue_motion=models.MotionPatch(
                    motion_type=models.MotionType.PRO,
                    prop_rot_dir=models.PropRotDir.CW,
                    start_loc=models.Location.N,
                    end_loc=models.Location.E,
                    turns=1,
                )
            ),
        )
        print(f"edited: word {seq.word}, {seq.length} beats, {seq.total_duration} s")

        # 2. Undo and redo: every edit is a command with a description.
        undone = await client.history.undo(seq.id)
        print(
            f'undid "{undone.entry.description}": word {undone.sequence and undone.sequence.word}'
        )
        redone = await client.history.redo(seq.id)
        print(
            f'redid "{redone.entry.description}": next undo is "{redone.history.undo_description}"'
        )

        # 3. Follow live events: subscribe over the WebSocket, change the sequence once the server
        #    confirmed the subscription, and print the events as they arrive.
        ws = client.events.connect_web_socket()
        await ws.send(
            models.WsSubscribeMessage(type="subscribe", sequence_ids=[seq.id])
        )
        seen = 0
        async with ws:
            async for message in ws:
                if isinstance(message, models.WsSubscribedMessage):
                    await client.sequences.update(
                        seq.id, models.SequencePatch(name="Example flow, live")
                    )
                    await client.beats.add(seq.id, models.BeatCreate(letter="E"))
                if isinstance(message, models.WsEventMessage):
                    event = message.event
                    if isinstance(event, models.UnknownChangeEvent):
                        continue  # a type newer than this SDK: skipped
                    print(f"event {event.type} -> version {event.sequence_version}")
                    seen += 1
                    if seen == 2:
                        break

        # 4. Handle a conflict: an edit made on an old version (If-Match) is refused with 412
        #    instead of overwriting someone else's change. Read the latest, apply the edit to it.
        stale = await client.sequences.get(seq.id)
        await client.sequences.update(
            seq.id, models.SequencePatch(metadata={"tempo": 96})
        )
        try:
            # if_match takes the resource (its version), a version number or the ETag.
            seq = await client.sequences.update(
                seq.id, models.SequencePatch(name="Mine"), if_match=stale
            )
        except PreconditionFailedError as error:
            print(
                f"conflict: {error.code} (request {error.request_id}); retrying on the latest"
            )
            latest = await client.sequences.get(seq.id)
            seq = await client.sequences.update(
                seq.id,
                models.SequencePatch(name="Mine"),
                if_match=latest.version,
            )
        print(f'done: "{seq.name}" at version {seq.version}, metadata {seq.metadata}')


if __name__ == "__main__":
    asyncio.run(main())
