"""Schemathesis hooks for the TKA server (loaded through schemathesis.toml).

- Idempotency keys: Schemathesis draws keys from a small space (shrinking tends to ``0``), so two
  different requests often share one, which the server rightly answers 422
  ``IDEMPOTENCY_KEY_REUSED``. Every well-formed key is made unique, so positive cases test the
  request itself; malformed keys are left for the negative checks.
- Cursors: a cursor the list did not issue is a 400 by design, and Schemathesis cannot know which
  ones were issued; positive cases drop a generated cursor (negative ones keep theirs).
- The event stream: the ``Last-Event-ID`` header's schema has the ``evt_`` + 16 digits pattern
  (a malformed id is 400 ``INVALID_EVENT_ID``, through ``x-error-code``; a well-formed one beyond
  the newest event is 409 ``UNKNOWN_EVENT_ID``, both declared). A positive case without the header
  gets the id of the first event the test script seeded, so the stream replays real events. So
  does a positive case whose id breaks the pattern: the coverage phase of Schemathesis 4.32.5 sends
  ``Last-Event-ID: 0`` as schema-valid in its "all required and 2 optional properties" case (it
  does not apply the header's pattern there), which the server rightly refuses. Negative cases
  keep theirs. Every 200 stream answer's events are counted in ``$TKA_SCHEMATHESIS_EVENTS`` and the
  script fails if none was ever read.
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from typing import Any

import schemathesis
from schemathesis import GenerationMode

_KEY = re.compile(r"^[\x21-\x7E]{1,255}$")
_EVENT_ID = re.compile(r"^evt_[0-9]{16}$")
_LISTS = {"listSequences", "listHistory"}
_lock = threading.Lock()


def _positive(case: Any) -> bool:
    meta = case.meta
    return meta is not None and meta.generation.mode == GenerationMode.POSITIVE


@schemathesis.hook
def before_call(ctx: Any, case: Any, kwargs: dict[str, Any]) -> None:
    headers = case.headers
    if headers is not None:
        for name in list(headers):
            value = headers[name]
            if name.lower() == "idempotency-key" and isinstance(value, str) and _KEY.match(value):
                headers[name] = f"st-{uuid.uuid4()}"
    if not _positive(case):
        return
    operation_id = case.operation.definition.raw.get("operationId")
    if operation_id in _LISTS and case.query:
        case.query.pop("cursor", None)
    first = os.environ.get("TKA_SCHEMATHESIS_FIRST_EVENT")
    if operation_id == "streamEvents" and first:
        others = {n: v for n, v in (case.headers or {}).items() if n.lower() != "last-event-id"}
        given = [v for n, v in (case.headers or {}).items() if n.lower() == "last-event-id"]
        if not (given and isinstance(given[0], str) and _EVENT_ID.match(given[0])):
            case.headers = {**others, "Last-Event-ID": first}


@schemathesis.hook
def after_call(ctx: Any, case: Any, response: Any) -> None:
    if case.operation.definition.raw.get("operationId") != "streamEvents":
        return
    if response.status_code != 200:
        return
    events = len(re.findall(rb"(?m)^data:", response.content))
    path = os.environ.get("TKA_SCHEMATHESIS_EVENTS")
    if path and events:
        with _lock, open(path, "a", encoding="utf-8") as out:
            out.write(f"{events}\n")
