"""The Python SDK's per-call overhead against raw httpx, measured the way the TypeScript and
Rust benchmarks measure theirs: the same local server (packages/sdk-ts/bench/peer-server.ts, in
its own process), the same request (GET /api/v1/health/live with an API key, JSON decoded), this
process's CPU time (time.process_time) and wall time. The synchronous clients: `tka.Tka` against
`httpx.Client`, each with its own connection pool; the raw arm sends the headers the SDK sends
(captured from one SDK call through a request hook of a separate probe client).

Finely interleaved pairs: one batch of each arm per pair, in an order drawn at random per pair,
a full `gc.collect()` before every batch (outside the measurement, so each batch starts from the
same heap and pays for its own cyclic garbage), warm-up pairs discarded. The figure is the median
of the per-pair CPU ratios with its interquartile range. Prints one JSON document.

Usage: python overhead.py <base-url> [calls-per-batch] [pairs]  (PYTHONPATH=generated/python)
"""

from __future__ import annotations

import gc
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable

import httpx
from tka import Tka

WARMUP_PAIRS = 20


def measure(n: int, call: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU microseconds per call over n sequential calls, from a collected heap."""
    gc.collect()
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    for _ in range(n):
        call()
    wall = (time.perf_counter() - t0) * 1e6 / n
    return wall, (time.process_time() - cpu0) * 1e6 / n


def quantiles(values: list[float]) -> tuple[float, float, float]:
    """25th, 50th and 75th percentiles (inclusive method, as the TypeScript bench)."""
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[1], q[2]


def run_pairs(
    sdk_call: Callable[[], object],
    raw_call: Callable[[], object],
    n: int,
    pairs: int,
    warmup: int,
) -> dict[str, object]:
    """Warm-up and measured pairs of batches of n calls; the summary of the measured ones."""
    rows = []
    for i in range(warmup + pairs):
        first = random.choice(("sdk", "raw"))
        if first == "sdk":
            sdk = measure(n, sdk_call)
            plain = measure(n, raw_call)
        else:
            plain = measure(n, raw_call)
            sdk = measure(n, sdk_call)
        if i >= warmup:
            rows.append((sdk, plain))
    c25, c50, c75 = quantiles([s[1] / r[1] for s, r in rows])
    w25, w50, w75 = quantiles([s[0] / r[0] for s, r in rows])
    d25, d50, d75 = quantiles([s[1] - r[1] for s, r in rows])
    return {
        "pairs": len(rows),
        "cpu_ratio": {
            "median": round(c50, 3),
            "p25": round(c25, 3),
            "p75": round(c75, 3),
            "of_totals": round(
                sum(s[1] for s, _ in rows) / sum(r[1] for _, r in rows), 3
            ),
        },
        "wall_ratio": {
            "median": round(w50, 3),
            "p25": round(w25, 3),
            "p75": round(w75, 3),
        },
        "cpu_us_per_call": {
            "sdk_median": round(statistics.median(s[1] for s, _ in rows), 2),
            "raw_median": round(statistics.median(r[1] for _, r in rows), 2),
            "sdk_minus_raw_median": round(d50, 2),
            "sdk_minus_raw_p25": round(d25, 2),
            "sdk_minus_raw_p75": round(d75, 2),
        },
    }


def main() -> None:
    base = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    pairs = int(sys.argv[3]) if len(sys.argv) > 3 else 400
    client = Tka(base_url=base, api_key="k", max_retries=0)
    seen: list[httpx.Request] = []
    probe_http = httpx.Client(event_hooks={"request": [seen.append]})
    probe = Tka(base_url=base, api_key="k", max_retries=0, http_client=probe_http)
    probe.health.get_liveness()
    url = str(seen[0].url)
    headers = {
        k: v
        for k, v in seen[0].headers.items()
        if k.lower() not in ("host", "content-length")
    }
    probe_http.close()
    raw = httpx.Client()

    def sdk_call() -> object:
        return client.health.get_liveness()

    def raw_call() -> object:
        response = raw.get(url, headers=headers)
        response.raise_for_status()
        return response.json()

    load_at_start = round(os.getloadavg()[0], 2)
    over_socket = run_pairs(sdk_call, raw_call, n, pairs, WARMUP_PAIRS)

    # The SDK's own work, apart from the socket: both arms over an httpx.MockTransport that
    # answers at once (same headers, same decode), in process and without I/O.
    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=b'{"status":"ok"}',
            headers={"Content-Type": "application/json", "X-Request-Id": "req_1"},
        )

    mock_sdk_http = httpx.Client(transport=httpx.MockTransport(answer))
    mock_sdk = Tka(base_url=base, api_key="k", max_retries=0, http_client=mock_sdk_http)
    mock_raw = httpx.Client(transport=httpx.MockTransport(answer))

    def mock_raw_call() -> object:
        response = mock_raw.get(url, headers=headers)
        response.raise_for_status()
        return response.json()

    in_process = run_pairs(mock_sdk.health.get_liveness, mock_raw_call, 500, 15, 3)
    result = {
        "benchmark": "Python SDK call vs raw httpx with the SDK's headers (same local server, same run; sync clients)",
        "method": "interleaved pairs: one batch of each arm per pair, order random per pair, "
        "gc.collect() before each batch, warm-up pairs discarded; ratios are SDK over raw per pair",
        "request_headers_both_arms": sorted(headers),
        "calls_per_batch": n,
        "warmup_pairs_discarded": WARMUP_PAIRS,
        "cpu_ratio_sdk_over_raw_median": over_socket["cpu_ratio"]["median"],
        "cpu_ratio_sdk_over_raw_iqr": [
            over_socket["cpu_ratio"]["p25"],
            over_socket["cpu_ratio"]["p75"],
        ],
        "sdk_own_cpu_us_per_call_in_process": in_process["cpu_us_per_call"][
            "sdk_minus_raw_median"
        ],
        "over_socket": over_socket,
        "in_process": in_process,
        "load_average_1m_at_start": load_at_start,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result, indent=2))
    for c in (client, raw, mock_sdk, mock_sdk_http, mock_raw):
        c.close()


if __name__ == "__main__":
    main()
