"""Starts and stops the real server process (packages/server) for the scenario."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[3]
KEY_A = "e2e-python-alpha-0123456789"
KEY_B = "e2e-python-beta-0123456789"


def _drain(stream: IO[str]) -> None:
    for _ in stream:
        pass


class Server:
    """The server on 127.0.0.1, a random port and its own data directory."""

    def __init__(self, data_dir: str | None = None, **env: str) -> None:
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="tka-e2e-python-")
        self._env = env
        self.process = subprocess.Popen(
            ["node", str(ROOT / "packages/server/src/main.ts")],
            env={
                **os.environ,
                "PORT": "0",
                "HOST": "127.0.0.1",
                "DATA_DIR": self.data_dir,
                "LOG_LEVEL": "warn",
                "API_KEYS": f"alpha={KEY_A},beta={KEY_B}",
                **env,
            },
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.url = ""
        for line in self.process.stdout:
            if line.startswith("{") and '"url"' in line:
                self.url = str(json.loads(line)["url"])
                break
        if not self.url:
            raise RuntimeError(f"the server exited before listening ({self.process.wait()})")
        # Keep reading so the server never blocks on a full pipe.
        threading.Thread(target=_drain, args=(self.process.stdout,), daemon=True).start()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, as after a crash."""
        self.process.kill()
        self.process.wait()

    def restart(self, **env: str) -> Server:
        self.stop()
        return Server(self.data_dir, **{**self._env, **env})
