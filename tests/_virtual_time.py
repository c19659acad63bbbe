"""An asyncio event loop on virtual time: when nothing is ready it jumps to the next timer.

The virtual insoles take their device clock from the loop (``loop.time()``) and the session
stamps notifications with :func:`firmware_bridge.ble.session.loop_clock`, so on this loop a
60 s session runs as fast as the CPU allows, with every timing relation intact (the radio has
no timing model of its own: docs/ble-testing.md, pitfall 8). Real I/O (sockets, threads that
call back into the loop) still works: the selector is polled without waiting, and it waits for
real only when no timer is pending.
"""

from __future__ import annotations

import asyncio
import selectors


class _Selector(selectors.DefaultSelector):
    def __init__(self, loop: VirtualTimeLoop) -> None:
        super().__init__()
        self._loop = loop

    def select(self, timeout: float | None = None):
        ready = super().select(0)
        if ready or timeout == 0:
            return ready
        if timeout is None:  # no timer at all: only real I/O can wake us
            return super().select(None)
        self._loop.advance(timeout)
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self._now = 0.0
        super().__init__(_Selector(self))

    def time(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += max(0.0, seconds)


def run_virtual(coro, timeout_s: float = 300.0):
    """Run ``coro`` on a fresh virtual-time loop (``timeout_s`` of virtual time at most)."""
    loop = VirtualTimeLoop()
    try:
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(asyncio.wait_for(coro, timeout_s))
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            asyncio.set_event_loop(None)
            loop.close()
