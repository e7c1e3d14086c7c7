"""The Python SDK's per-call overhead against raw httpx, measured the way the TypeScript and
Rust benchmarks measure theirs: the same local server (packages/sdk-ts/bench/peer-server.ts, in
its own process), the same request (GET /api/v1/health/live with an API key, JSON decoded),
rounds of N calls alternating which side goes first, wall time and this process's CPU time per
call (time.process_time). The synchronous clients: `tka.Tka` against `httpx.Client`, each with
its own connection pool. Prints one JSON document.

Usage: python overhead.py <base-url> [calls] [rounds]  (PYTHONPATH=generated/python)
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable

import httpx
from tka import Tka


def measure(n: int, call: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU microseconds per call over n sequential calls."""
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    for _ in range(n):
        call()
    wall = (time.perf_counter() - t0) * 1e6 / n
    return wall, (time.process_time() - cpu0) * 1e6 / n


def main() -> None:
    base = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    client = Tka(base_url=base, api_key="k", max_retries=0)
    raw = httpx.Client()
    url = f"{base}/api/v1/health/live"
    headers = {"Accept": "application/json", "X-API-Key": "k"}

    def sdk_call() -> object:
        return client.health.get_liveness()

    def raw_call() -> object:
        response = raw.get(url, headers=headers)
        response.raise_for_status()
        return response.json()

    measure(n, sdk_call)  # warm-up: connections, imports, caches
    measure(n, raw_call)
    rows = []
    for round_ in range(rounds):
        if round_ % 2 == 0:
            sdk = measure(n, sdk_call)
            plain = measure(n, raw_call)
        else:
            plain = measure(n, raw_call)
            sdk = measure(n, sdk_call)
        rows.append(
            {
                "sdk_us": round(sdk[0], 1),
                "raw_us": round(plain[0], 1),
                "sdk_cpu_us": round(sdk[1], 1),
                "raw_cpu_us": round(plain[1], 1),
            }
        )
    result = {
        "benchmark": "Python SDK call vs raw httpx (same local server, same run; sync clients)",
        "calls_per_round": n,
        "rounds": rows,
        "median_ratio_sdk_over_raw": round(
            statistics.median(r["sdk_us"] / r["raw_us"] for r in rows), 3
        ),
        "load_average_1m": round(os.getloadavg()[0], 1),
        "median_cpu_ratio_sdk_over_raw": round(
            statistics.median(r["sdk_cpu_us"] / r["raw_cpu_us"] for r in rows), 3
        ),
    }
    print(json.dumps(result, indent=2))
    client.close()
    raw.close()


if __name__ == "__main__":
    main()
