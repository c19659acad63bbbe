"""Helpers of the tests that run a command serving HTTP in a subprocess."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request


def until(condition, what: str, timeout_s: float, poll_s: float = 0.3):
    """Wait for ``condition()`` to return something truthy; return it, or fail naming ``what``
    after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        got = condition()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout_s} s: {what}")
        time.sleep(poll_s)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read(), resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:  # an answer all the same (e.g. 503)
        return exc.code, exc.read(), exc.headers.get("Content-Type", "")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, b"", ""
