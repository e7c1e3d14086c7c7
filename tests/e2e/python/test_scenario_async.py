"""The TKA scenario over the asyncio client: the same operations awaited, pages walked with
`async for`, live changes over the WebSocket and Server-Sent Events, and cancellation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from tka import AsyncTka, NotFoundError, PreconditionFailedError, UnprocessableEntityError, models

from server import KEY_A, KEY_B, Server


@pytest.fixture
async def client(server: Server) -> AsyncIterator[AsyncTka]:
    async with AsyncTka(base_url=server.url, api_key=KEY_A, max_retries=0) as tka:
        yield tka


async def test_creates_lists_edits_undoes_and_redoes(client: AsyncTka) -> None:
    flow = await client.sequences.create(
        models.SequenceCreate(
            name="Async flow", beats=[models.BeatInput(letter="a"), models.BeatInput(letter="b")]
        )
    )
    assert flow.word == "AB"
    for i in range(3):
        await client.sequences.create(models.SequenceCreate(name=f"Async {i}", length=1))
    names = [s.name async for s in client.sequences.list(limit=2, name_contains="Async")]
    assert names == ["Async 2", "Async 1", "Async 0", "Async flow"]
    first_page = await client.sequences.list(limit=3, name_contains="Async")
    assert len(first_page.data) == 3 and first_page.has_next_page()

    seq = await client.beats.add(flow.id, models.BeatCreate(letter="c"))
    seq = await client.beats.move(flow.id, seq.beats[2].id, models.BeatMove(position=0))
    assert seq.word == "CAB"
    seq = await client.beats.replace(
        flow.id, models.BeatsReplace(beats=[models.BeatInput(letter="x")])
    )
    assert seq.word == "X"
    undone = await client.history.undo(flow.id)
    assert undone.sequence is not None and undone.sequence.word == "CAB"
    redone = await client.history.redo(flow.id)
    assert redone.sequence is not None and redone.sequence.word == "X"
    entries = [entry.command async for entry in client.history.list(flow.id, limit=2)]
    assert entries[0] == models.CommandKind.BEATS_REPLACE
    assert entries[-1] == models.CommandKind.SEQUENCE_CREATE

    with pytest.raises(PreconditionFailedError):
        await client.sequences.delete(flow.id, if_match='"1"')
    deleted = await client.sequences.delete(flow.id, if_match=f'"{redone.sequence.version}"')
    assert deleted.id == flow.id
    with pytest.raises(NotFoundError):
        await client.sequences.get(flow.id)
    with pytest.raises(UnprocessableEntityError) as caught:
        await client.sequences.create(models.SequenceCreate(name="x" * 500))
    assert caught.value.code == "VALIDATION_FAILED"
    raw = await client.history.with_raw_response.undo(flow.id)
    assert raw.status_code == 200 and raw.request_id is not None
    restored = raw.parse()
    assert restored.sequence is not None and restored.sequence.word == "X"


async def test_watches_changes_live_over_the_websocket(client: AsyncTka) -> None:
    seq = await client.sequences.create(models.SequenceCreate(name="Live"))
    ws = client.events.connect_web_socket()
    await ws.send(
        models.WsSubscribeMessage(
            type="subscribe", event_types=[models.EventType.BEAT_ADDED], sequence_ids=[seq.id]
        )
    )

    async def first_event() -> models.ChangeEvent:
        async with ws:
            async for message in ws:
                if isinstance(message, models.WsSubscribedMessage):
                    await client.beats.add(seq.id, models.BeatCreate(letter="w"))
                if isinstance(message, models.WsEventMessage):
                    return message.event
        raise AssertionError("the WebSocket ended without an event")

    seen = await asyncio.wait_for(first_event(), 20)
    assert isinstance(seen, models.BeatAddedEvent)
    assert seen.type == "beat.added"  # the discriminator as on the wire (not `type_`)
    assert seen.sequence_id == seq.id
    assert seen.data.beat.letter == "W"


async def test_streams_server_sent_events_and_resumes_from_an_event_id(client: AsyncTka) -> None:
    seq = await client.sequences.create(models.SequenceCreate(name="Streamed"))

    async def first_added(last_event_id: str | None, letter: str) -> models.BeatAddedEvent:
        async with client.events.stream(
            sequence_id=[seq.id], last_event_id=last_event_id
        ) as events:
            adder = asyncio.create_task(client.beats.add(seq.id, models.BeatCreate(letter=letter)))
            try:
                async for event in events:
                    if isinstance(event, models.BeatAddedEvent):
                        return event
            finally:
                await adder
        raise AssertionError("the stream ended without an event")

    added = await asyncio.wait_for(first_added(None, "a"), 20)
    assert added.data.beat.letter == "A"
    # Resuming after that event's id delivers what came next, even while disconnected.
    await client.beats.add(seq.id, models.BeatCreate(letter="b"))
    resumed = await asyncio.wait_for(first_added(added.id, "c"), 20)
    assert resumed.data.beat.letter == "B"


async def test_cancelling_a_call_propagates_cancelled_error(client: AsyncTka) -> None:
    task = asyncio.create_task(client.health.get())
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_another_projects_key_sees_nothing(server: Server, client: AsyncTka) -> None:
    seq = await client.sequences.create(models.SequenceCreate(name="Private"))
    async with AsyncTka(base_url=server.url, api_key=KEY_B, max_retries=0) as other:
        with pytest.raises(NotFoundError):
            await other.beats.add(seq.id, models.BeatCreate(letter="a"))
        assert [s.id async for s in other.sequences.list()] == []
