"""The TKA scenario over the generated Python SDK (synchronous client), against the real server.
The TypeScript and Rust suites run the same scenario; test_scenario_async.py drives the asyncio
client and the WebSocket."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pydantic
import pytest
from tka import (
    AuthenticationError,
    NotFoundError,
    PreconditionFailedError,
    RateLimitError,
    Tka,
    UnprocessableEntityError,
    models,
)

from server import KEY_A, KEY_B, Server


class State:
    flow: models.Sequence


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[Tka]:
    with Tka(base_url=server.url, api_key=KEY_A, max_retries=0) as tka:
        yield tka


def test_creates_sequences_by_length_and_by_explicit_beats(client: Tka) -> None:
    blank = client.sequences.create(models.SequenceCreate(name="Blank", length=4))
    assert (blank.length, blank.word, blank.version) == (4, "", 1)
    flow = client.sequences.create(
        models.SequenceCreate(
            name="Flow",
            beats=[
                models.BeatInput(
                    letter="a",
                    blue_motion=models.MotionInput(
                        motion_type=models.MotionType.PRO,
                        prop_rot_dir=models.PropRotDir.CW,
                        start_loc=models.Location.N,
                        end_loc=models.Location.E,
                    ),
                ),
                models.BeatInput(letter="b"),
            ],
        )
    )
    assert (flow.word, flow.length) == ("AB", 2)
    motion = flow.beats[0].blue_motion
    assert motion is not None
    assert (motion.turns, motion.start_ori) == (0, models.Orientation.IN)
    State.flow = flow


def test_lists_every_sequence_across_pages(client: Tka) -> None:
    for i in range(5):
        client.sequences.create(models.SequenceCreate(name=f"Extra {i}"))
    names = [s.name for s in client.sequences.list(limit=2)]
    assert len(names) == 7
    assert names[-2:] == ["Flow", "Blank"]
    page = client.sequences.list(limit=2)
    assert len(page.data) == 2 and page.has_next_page() and page.next_cursor
    assert [s.name for s in page.get_next_page().data] == ["Extra 2", "Extra 1"]


def test_adds_inserts_updates_moves_and_removes_beats(client: Tka) -> None:
    seq_id = State.flow.id
    client.beats.add(seq_id, models.BeatCreate(letter="c"))
    seq = client.beats.add(seq_id, models.BeatCreate(letter="z", position=0))
    assert seq.word == "ZABC"
    z, a = seq.beats[0], seq.beats[1]
    seq = client.beats.update(seq_id, a.id, models.BeatPatch(letter="q", duration=2))
    assert (seq.word, seq.total_duration) == ("ZQBC", 5)
    seq = client.beats.move(seq_id, z.id, models.BeatMove(position=3))
    assert seq.word == "QBCZ"
    seq = client.beats.remove(seq_id, z.id)
    assert seq.word == "QBC"
    assert client.beats.get(seq_id, a.id).letter == "Q"
    State.flow = seq


def test_undoes_and_redoes_every_kind_of_mutation_and_lists_the_history(client: Tka) -> None:
    seq_id = State.flow.id
    client.sequences.update(seq_id, models.SequencePatch(name="Renamed"))
    client.sequences.delete(seq_id)
    with pytest.raises(NotFoundError):
        client.sequences.get(seq_id)
    restored = client.history.undo(seq_id)
    assert restored.sequence is not None and restored.sequence.name == "Renamed"
    words = []
    for _ in range(6):
        result = client.history.undo(seq_id)
        words.append(result.sequence.word if result.sequence else "")
    assert words == ["QBC", "QBCZ", "ZQBC", "ZABC", "ABC", "AB"]
    redone = client.history.redo(seq_id)
    assert redone.sequence is not None and redone.sequence.word == "ABC"
    assert redone.history.can_undo and redone.history.can_redo
    page = client.history.list(seq_id, limit=3)
    assert [e.undone for e in page.data] == [True, True, True]
    entries = [e.command for e in client.history.list(seq_id)]
    assert entries[-1] == models.CommandKind.SEQUENCE_CREATE


def test_streams_changes_as_server_sent_events(client: Tka) -> None:
    seq_id = State.flow.id
    received = threading.Event()

    def change_until_seen() -> None:
        # The stream connects on first iteration: keep changing until the stream has seen one.
        for i in range(40):
            if received.wait(0.25):
                return
            client.sequences.update(seq_id, models.SequencePatch(metadata={"n": i}))

    writer = threading.Thread(target=change_until_seen)
    writer.start()
    try:
        with client.events.stream(
            types=[models.EventType.SEQUENCE_UPDATED], sequence_id=[seq_id]
        ) as events:
            for event in events:
                assert isinstance(event, models.SequenceUpdatedEvent)
                assert event.sequence_id == seq_id
                assert events.last_event_id == event.id
                break
    finally:
        received.set()
        writer.join()


def test_refuses_a_stale_if_match_with_a_typed_412(client: Tka) -> None:
    seq = client.sequences.create(models.SequenceCreate(name="Versioned"))
    etag = f'"{seq.version}"'
    client.sequences.update(seq.id, models.SequencePatch(name="v2"), if_match=etag)
    with pytest.raises(PreconditionFailedError) as caught:
        client.sequences.update(seq.id, models.SequencePatch(name="v3"), if_match=etag)
    assert caught.value.status_code == 412
    assert caught.value.code == "VERSION_MISMATCH"
    assert caught.value.request_id is not None and caught.value.request_id.startswith("req_")
    problem = caught.value.problem
    assert problem is not None and problem.code == models.ErrorCode.VERSION_MISMATCH
    assert problem.request_id == caught.value.request_id


def test_if_match_takes_the_resource_a_version_or_the_etag(client: Tka) -> None:
    seq = client.sequences.create(models.SequenceCreate(name="Tags"))
    v2 = client.sequences.update(seq.id, models.SequencePatch(name="v2"), if_match=seq)
    v3 = client.sequences.update(seq.id, models.SequencePatch(name="v3"), if_match=v2.version)
    raw = client.sequences.with_raw_response.update(seq.id, name="v4", if_match=f'"{v3.version}"')
    assert raw.parse().version == v3.version + 1
    assert raw.headers["etag"] == f'"{v3.version + 1}"'
    with pytest.raises(PreconditionFailedError):
        client.sequences.update(seq.id, name="v5", if_match=seq)
    with pytest.raises(TypeError, match="bool"):
        client.sequences.update(seq.id, name="v5", if_match=True)


def test_creates_one_sequence_for_a_post_retried_with_the_same_idempotency_key(
    client: Tka,
) -> None:
    before = len(client.sequences.list(limit=100).data)
    first = client.sequences.create(models.SequenceCreate(name="Once"), idempotency_key="py-once")
    again = client.sequences.with_raw_response.create(
        models.SequenceCreate(name="Once"), idempotency_key="py-once"
    )
    assert again.status_code == 201
    assert again.headers.get("Idempotency-Replayed") == "true"
    assert again.parse() == first
    assert len(client.sequences.list(limit=100).data) == before + 1


def test_gives_typed_401_for_a_wrong_key_and_404_for_another_projects_sequence(
    server: Server,
) -> None:
    with (
        Tka(base_url=server.url, api_key="not-a-key-0123456789", max_retries=0) as wrong,
        pytest.raises(AuthenticationError),
    ):
        wrong.sequences.list()
    with (
        Tka(base_url=server.url, api_key=KEY_B, max_retries=0) as other,
        pytest.raises(NotFoundError),
    ):
        other.sequences.get(State.flow.id)


def test_returns_validation_failures_as_a_typed_422_listing_each_field(client: Tka) -> None:
    with pytest.raises(UnprocessableEntityError) as caught:
        client.sequences.create(models.SequenceCreate(name="", length=65))
    # `problem` is the contract's Problem model, typed as such (no dict, no cast).
    problem = caught.value.problem
    assert isinstance(problem, models.Problem)
    assert problem.code == models.ErrorCode.VALIDATION_FAILED
    assert sorted(e.field for e in problem.errors or []) == ["/length", "/name"]
    assert problem.request_id == caught.value.request_id


def test_input_models_refuse_unknown_fields_so_none_is_ever_sent(client: Tka) -> None:
    with pytest.raises(pydantic.ValidationError, match="lettr"):
        models.BeatCreate(lettr="A")  # type: ignore[call-arg]
    with pytest.raises(pydantic.ValidationError, match="if_match"):
        models.SequencePatch.model_validate({"name": "t", "if_match": '"1"'})
    # Responses stay open: a member this SDK version does not know is kept.
    seq = models.Sequence.model_validate({**State.flow.model_dump(mode="json"), "new_member": 1})
    assert seq.model_extra == {"new_member": 1}


def test_keeps_every_acknowledged_change_and_the_history_across_a_restart(
    server: Server,
) -> None:
    with Tka(base_url=server.url, api_key=KEY_A, max_retries=0) as client:
        before = client.sequences.get(State.flow.id)
    restarted = server.restart()
    try:
        with Tka(base_url=restarted.url, api_key=KEY_A, max_retries=0) as client:
            assert client.sequences.get(State.flow.id) == before
            undone = client.history.undo(State.flow.id)
            assert undone.sequence is not None and undone.sequence.word == "ABC"
    finally:
        restarted.stop()


def test_rate_limits_with_a_typed_429_carrying_retry_after() -> None:
    limited_server = Server(RATE_LIMIT="2/0.01")
    try:
        with Tka(base_url=limited_server.url, api_key=KEY_A, max_retries=0) as limited:
            limited.sequences.list()
            limited.sequences.list()
            with pytest.raises(RateLimitError) as caught:
                limited.sequences.list()
            assert caught.value.retry_after is not None and caught.value.retry_after > 0
    finally:
        limited_server.stop()
