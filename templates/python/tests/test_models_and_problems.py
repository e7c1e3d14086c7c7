"""Typed problems (error bodies decoded as the operation's declared model), lenient decoding of
answers that differ from the contract, NOT_GIVEN in request models, per-request keyword options."""

from __future__ import annotations

from typing import Callable, List

import pytest
from conftest import Exchange, RecordingSDK, TestServer
from fakesdk import Item
from fakesdk._core import (
    NOT_GIVEN,
    APIResponseValidationError,
    BaseModel,
    NotFoundError,
    NotGiven,
    UnprocessableEntityError,
    request_options,
)
from fakesdk._core._utils import encode_json_body

MakeClient = Callable[..., RecordingSDK]


class FieldError(BaseModel):
    field: str
    code: str


class Problem(BaseModel):
    code: str
    status: int
    request_id: str
    detail: str | None = None
    errors: List[FieldError] | None = None


class Patch(BaseModel):
    """A request model: optional members default to NOT_GIVEN."""

    name: str | NotGiven = NOT_GIVEN
    note: str | NotGiven | None = NOT_GIVEN


def test_an_error_body_decodes_as_the_declared_model(
    server: TestServer, make_client: MakeClient
) -> None:
    body = {
        "code": "VALIDATION_FAILED",
        "status": 422,
        "request_id": "req_body",
        "errors": [{"field": "/name", "code": "minLength"}],
    }
    server.on(lambda ex: ex.respond(422, body, {"X-Request-Id": "req_header"}))
    client = make_client(max_retries=0)
    with pytest.raises(UnprocessableEntityError) as info:
        client.request("post", "/items", cast_to=Item, body={}, errors={"4XX": Problem})
    problem = info.value.problem
    assert isinstance(problem, Problem)
    assert problem.errors is not None and problem.errors[0].field == "/name"
    assert info.value.request_id == "req_body"  # the body's id wins over the header's
    assert info.value.code == "VALIDATION_FAILED"


def test_an_undeclared_status_has_no_problem_and_the_header_id(
    server: TestServer, make_client: MakeClient
) -> None:
    server.on(lambda ex: ex.respond(404, {"code": "NOT_FOUND"}, {"X-Request-Id": "req_h"}))
    client = make_client(max_retries=0)
    with pytest.raises(NotFoundError) as info:
        client.request("get", "/items/x", cast_to=Item, errors={"422": Problem})
    assert info.value.problem is None
    assert info.value.body == {"code": "NOT_FOUND"}
    assert info.value.request_id == "req_h"


def test_an_error_body_missing_members_still_decodes_as_the_model(
    server: TestServer, make_client: MakeClient
) -> None:
    server.on(lambda ex: ex.respond(404, {"code": "NOT_FOUND", "extra": 1}))
    client = make_client(max_retries=0)
    with pytest.raises(NotFoundError) as info:
        client.request("get", "/items/x", cast_to=Item, errors={"default": Problem})
    problem = info.value.problem
    assert isinstance(problem, Problem)
    assert problem.code == "NOT_FOUND"
    assert problem.model_extra == {"extra": 1}


def test_a_field_error_missing_a_member_still_decodes_as_its_model(
    server: TestServer, make_client: MakeClient
) -> None:
    body = {
        "code": "VALIDATION_FAILED",
        "status": 422,
        "request_id": "req_1",
        "errors": [{"field": "/name"}, {"field": "/length", "code": "minimum"}],
    }
    server.on(lambda ex: ex.respond(422, body))
    with pytest.raises(UnprocessableEntityError) as info:
        make_client(max_retries=0).request(
            "post", "/items", cast_to=Item, body={}, errors={"422": Problem}
        )
    problem = info.value.problem
    assert isinstance(problem, Problem) and problem.errors is not None
    assert all(isinstance(e, FieldError) for e in problem.errors)
    assert [e.field for e in problem.errors] == ["/name", "/length"]
    assert "code" not in problem.errors[0].model_fields_set


def test_answers_that_miss_members_decode_leniently_unless_strict(
    server: TestServer, make_client: MakeClient
) -> None:
    server.on(lambda ex: ex.respond(200, {"id": "it_1", "color": "red", "new": True}))
    item = make_client().items.retrieve("x")
    assert item.id == "it_1"
    assert "name" not in item.model_fields_set  # missing: not invented
    assert item.model_extra == {"new": True}
    with pytest.raises(APIResponseValidationError):
        make_client(strict_response_validation=True).items.retrieve("x")


def test_answers_with_a_member_of_another_type_keep_the_raw_value(
    server: TestServer, make_client: MakeClient
) -> None:
    server.on(lambda ex: ex.respond(200, {"id": 7, "name": "A"}))
    item = make_client().items.retrieve("x")
    assert item.model_dump(warnings=False) == {"id": 7, "name": "A", "color": None}


def test_not_given_is_never_sent_and_none_is_null() -> None:
    assert encode_json_body(Patch()) == b"{}"
    assert encode_json_body(Patch(name="A")) == b'{"name":"A"}'
    assert encode_json_body(Patch(note=None)) == b'{"note":null}'
    assert encode_json_body(Patch(name=NOT_GIVEN, note="x")) == b'{"note":"x"}'
    assert not NOT_GIVEN and repr(NOT_GIVEN) == "NOT_GIVEN" and NotGiven() is NOT_GIVEN


def test_request_options_from_keywords() -> None:
    assert request_options() is None
    assert request_options(timeout=None) == {"timeout": None}
    assert request_options(
        timeout=5.0,
        max_retries=1,
        extra_headers={"X-A": "1"},
        extra_query={"q": "v"},
        idempotency_key="k",
    ) == {
        "timeout": 5.0,
        "max_retries": 1,
        "headers": {"X-A": "1"},
        "query": {"q": "v"},
        "idempotency_key": "k",
    }


def test_a_429_exchange_with_retry_after_is_honoured(
    server: TestServer, make_client: MakeClient
) -> None:
    statuses = iter([429])

    def handle(ex: Exchange) -> None:
        status = next(statuses, 200)
        if status == 429:
            ex.respond(429, {"code": "RATE_LIMITED"}, {"Retry-After": "2"})
        else:
            ex.respond(200, {"id": "it_1", "name": "A"})

    server.on(handle)
    client = make_client()
    client.request(
        "patch",
        "/items/it_1",
        cast_to=Item,
        body={"name": "A"},
        idempotency_header="Idempotency-Key",
    )
    assert client.sleeps == [2.0]
    keys = {r.headers["idempotency-key"] for r in server.requests}
    assert len(server.requests) == 2 and len(keys) == 1
