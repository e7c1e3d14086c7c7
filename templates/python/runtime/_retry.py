"""Pure retry policy shared by the sync and async request loops (docs/sdk-runtime.md, step 4)."""

from __future__ import annotations

import email.utils
import time
from typing import Mapping

__all__ = [
    "DEFAULT_MAX_RETRY_AFTER",
    "INITIAL_RETRY_DELAY",
    "MAX_RETRY_DELAY",
    "is_retryable_method",
    "is_safe_method",
    "parse_retry_after",
    "retry_delay",
    "should_retry_status",
]

INITIAL_RETRY_DELAY = 0.5
"""Seconds before the first retry when the server gives no hint."""
MAX_RETRY_DELAY = 8.0
"""Cap of the exponential backoff, in seconds."""
DEFAULT_MAX_RETRY_AFTER = 60.0
"""The longest server hint (seconds) the client waits by default; a longer one is raised at once."""

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_safe_method(method: str) -> bool:
    """GET, HEAD and OPTIONS change nothing: retried without an idempotency key."""
    return method.upper() in _SAFE_METHODS


def is_retryable_method(method: str, *, has_idempotency_key: bool) -> bool:
    """Only safe requests (GET, HEAD, OPTIONS) or requests carrying an idempotency key are retried:
    a key makes the server answer a retry with the first answer instead of applying the change
    again. PUT and DELETE are not enough on their own (a retried PUT of a command log records two
    commands; a retried DELETE whose answer was lost would get a 404)."""
    return has_idempotency_key or is_safe_method(method)


def should_retry_status(status_code: int, headers: Mapping[str, str]) -> bool:
    """Whether an answer's status is retryable (the method rule is checked separately).

    ``x-should-retry: true|false`` overrides the status rule. Otherwise 408, 429 and 5xx are
    retryable, and 409 only when it carries ``Retry-After`` (a lock such as an idempotency key in
    use; a domain conflict has no ``Retry-After``).
    """
    should_retry = headers.get("x-should-retry", "").strip().lower()
    if should_retry == "true":
        return True
    if should_retry == "false":
        return False
    if status_code in (408, 429) or status_code >= 500:
        return True
    if status_code == 409:
        return "retry-after" in headers or "retry-after-ms" in headers
    return False


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """The server's wait hint in seconds: ``Retry-After-Ms``, else ``Retry-After`` as seconds or an
    HTTP date. ``None`` when absent or unparseable."""
    retry_ms = headers.get("retry-after-ms")
    if retry_ms is not None:
        try:
            return float(retry_ms) / 1000.0
        except ValueError:
            pass
    retry_after = headers.get("retry-after")
    if retry_after is None:
        return None
    retry_after = retry_after.strip()
    try:
        return float(retry_after)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(retry_after)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None  # type: ignore[unreachable]
    current = time.time() if now is None else now
    return when.timestamp() - current


def retry_delay(
    retries_taken: int,
    headers: Mapping[str, str] | None,
    random: float,
    *,
    initial: float = INITIAL_RETRY_DELAY,
    maximum: float = MAX_RETRY_DELAY,
) -> float:
    """Seconds to wait before retry number ``retries_taken + 1``.

    The server's hint wins when it is > 0 (the caller has already refused one above its
    ceiling); otherwise ``min(initial * 2**retries_taken, maximum)`` times a jitter factor in
    [0.75, 1.0] (``random`` is a sample of [0, 1)).
    """
    if headers is not None:
        hint = parse_retry_after(headers)
        if hint is not None and hint > 0:
            return hint
    return backoff_delay(retries_taken, random, initial=initial, maximum=maximum)


def backoff_delay(attempt: int, random: float, *, initial: float, maximum: float) -> float:
    """``min(initial * 2**attempt, maximum)`` times a jitter factor in [0.75, 1.0]."""
    base = min(initial * (2.0 ** min(attempt, 62)), maximum)
    return base * (1.0 - 0.25 * min(max(random, 0.0), 1.0))
