from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from server import Server

# The SDK reads these when an option is not passed: the scenario passes everything itself.
for name in ("TKA_API_KEY", "TKA_BEARER_TOKEN", "TKA_BASE_URL"):
    os.environ.pop(name, None)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.stop()
