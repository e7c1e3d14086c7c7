"""Self-check of the event-stream validation, run by tools/scripts/test-schemathesis.sh first.

Reads real SSE events the script recorded from the server, then asks Schemathesis to validate
them against the served document's `text/event-stream` schema (the 3.1 document carries the item
schema, see tools/gen/src/steps/sse-items.ts): the real events must pass, and copies broken in
the ways a server bug would break them must fail. So "0 failures" in the run means the stream
was checked with its real item schema, not waved through.

Usage: python stream_check.py <openapi.json URL> <recorded stream file>
"""

from __future__ import annotations

import json
import os
import sys

import requests
import schemathesis

VERBOSE = os.environ.get("STREAM_CHECK_VERBOSE") == "1"


def response(body: str) -> schemathesis.Response:
    return schemathesis.Response(
        status_code=200,
        headers={"content-type": ["text/event-stream"], "x-request-id": ["req_check"]},
        content=body.encode(),
        request=requests.Request("GET", "http://localhost/api/v1/events").prepare(),
        elapsed=0.0,
        verify=True,
    )


def valid(operation: schemathesis.APIOperation, body: str) -> bool:
    try:
        operation.validate_response(response(body))
    except Exception as error:  # one failure, or a group of them (real events must still pass)
        if VERBOSE:
            print(f"stream_check: {error!r}"[:2000], file=sys.stderr)
        return False
    return True


def main() -> int:
    url, recorded = sys.argv[1], sys.argv[2]
    operation = schemathesis.openapi.from_url(url)["/api/v1/events"]["GET"]
    with open(recorded, encoding="utf-8") as f:
        blocks = [b for b in f.read().split("\n\n") if "\ndata:" in f"\n{b}"]
    if not blocks:
        print("stream_check: no recorded event", file=sys.stderr)
        return 1
    event = blocks[0]
    data = json.loads(
        next(line[5:].strip() for line in event.splitlines() if line.startswith("data:"))
    )

    def with_data(text: str) -> str:
        lines = [
            f"data: {text}" if line.startswith("data:") else line for line in event.splitlines()
        ]
        return "\n".join(lines) + "\n\n"

    broken = {
        "a field of the wrong type": with_data(json.dumps({**data, "sequence_version": "two"})),
        "a required field missing": with_data(
            json.dumps({k: v for k, v in data.items() if k != "occurred_at"})
        ),
        "data that is not JSON": with_data("{not json"),
        "another event's data": with_data(json.dumps({**data, "type": "beat.moved"})),
    }
    problems = []
    if not valid(operation, "\n\n".join(blocks) + "\n\n"):
        problems.append(f"the {len(blocks)} real events were refused")
    for what, body in broken.items():
        if valid(operation, body):
            problems.append(f"an event with {what} was accepted")
    if problems:
        print("stream_check: " + "; ".join(problems), file=sys.stderr)
        return 1
    print(f"stream_check: {len(blocks)} real events valid, {len(broken)} broken ones refused")
    return 0


if __name__ == "__main__":
    sys.exit(main())
