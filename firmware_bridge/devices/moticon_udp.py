"""Moticon OpenGo over UDP: the desktop software's line stream, as a profile and a receiver.

The line format is parsed by :func:`firmware_bridge.readers.moticon.parse_moticon_udp_line`
(defined there once); this module turns samples into :class:`Reading` records and receives
datagrams with asyncio. It is not a BLE device: :meth:`MoticonUdp.recognises` is always False.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import ClassVar, Final

import numpy as np

from analysis.errors import DataProblem, InputError
from firmware_bridge.devices import Advertisement, DeviceProfile, Reading
from firmware_bridge.readers.moticon import (
    MOTICON_N_PRESSURE,
    MoticonUdpSample,
    parse_moticon_udp_line,
)

#: Port of a public client of the Moticon stream; the desktop software lets one choose.
DEFAULT_PORT: Final = 8888
UDP_CHANNEL: Final = "udp"
PRESSURE_CHANNELS: Final = tuple(f"p{i}" for i in range(1, MOTICON_N_PRESSURE + 1))


class MoticonUdp(DeviceProfile):
    """Moticon's UDP lines as readings; ``layout`` names the data types ticked in the
    desktop software (see ``readers.moticon.UDP_LAYOUTS``)."""

    name: ClassVar[str] = "moticon-udp"
    service_uuid: ClassVar[str | None] = None

    def __init__(self, *, layout: str | Sequence[str] = "full") -> None:
        self.layout = layout

    @classmethod
    def recognises(cls, adv: Advertisement) -> bool:
        return False

    @property
    def notify_uuids(self) -> tuple[str, ...]:
        return ()

    def decode(
        self, char_uuid: str, data: bytes, *, host_time_s: float, handle: int | None = None
    ) -> list[Reading]:
        return sample_readings(parse_moticon_udp_line(data, layout=self.layout),
                               host_time_s=host_time_s)


def sample_readings(sample: MoticonUdpSample, *, host_time_s: float) -> list[Reading]:
    """Readings of one parsed UDP sample, per foot and selected data type."""
    out = []
    for foot in ("left", "right"):
        f = getattr(sample, foot)
        common = {"foot": foot, "host_time_s": host_time_s, "device_time_s": sample.time_s}
        if f.pressure_kpa is not None:
            out.append(Reading("pressure", values=f.pressure_kpa, unit="kPa",
                               channels=PRESSURE_CHANNELS, **common))
        if f.acceleration is not None or f.angular is not None:
            values, channels = [], []
            if f.acceleration is not None:
                values += f.acceleration
                channels += ["accel_x", "accel_y", "accel_z"]
            if f.angular is not None:
                values += f.angular
                channels += ["gyro_x", "gyro_y", "gyro_z"]
            out.append(Reading("imu", values=np.array(values), unit="moticon",
                               channels=tuple(channels), **common))
        if f.cop is not None:
            out.append(Reading("cop", values=np.array(f.cop), unit="moticon",
                               channels=("cop_x", "cop_y"), **common))
        if f.total_force_n is not None:
            out.append(Reading("force", values=np.array([f.total_force_n]), unit="N",
                               channels=("total",), **common))
    return out


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, receiver: MoticonUdpReceiver) -> None:
        self.receiver = receiver

    def datagram_received(self, data: bytes, addr) -> None:
        self.receiver._datagram(data)

    def error_received(self, exc: Exception) -> None:
        self.receiver.problems.append(DataProblem(self.receiver.source, f"socket: {exc}"))


class MoticonUdpReceiver:
    """Receives Moticon UDP lines and yields :class:`MoticonUdpSample` in arrival order.

    ``async with MoticonUdpReceiver(port=8888) as rx: async for sample in rx: ...``. Binds
    ``host`` (default 127.0.0.1: the desktop software on this computer; give "0.0.0.0" to
    listen on the network) and ``port`` (0: any free port, see :attr:`port`). A line that does
    not parse is skipped and recorded in :attr:`problems`; when more than ``max_queue``
    samples wait, the newest are dropped and counted in :attr:`dropped`.
    """

    def __init__(self, port: int = DEFAULT_PORT, *, host: str = "127.0.0.1",
                 layout: str | Sequence[str] = "full", max_queue: int = 10_000) -> None:
        self.host = host
        self.requested_port = port
        self.layout = layout
        self.problems: list[DataProblem] = []
        self.dropped = 0
        self.received_lines = 0
        self._queue: asyncio.Queue[MoticonUdpSample | None] = asyncio.Queue(max_queue)
        self._transport: asyncio.DatagramTransport | None = None
        self._closed = False

    @property
    def source(self) -> str:
        return f"udp://{self.host}:{self.port}"

    @property
    def port(self) -> int:
        if self._transport is None:
            return self.requested_port
        return self._transport.get_extra_info("sockname")[1]

    async def start(self) -> MoticonUdpReceiver:
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_datagram_endpoint(
            lambda: _Protocol(self), local_addr=(self.host, self.requested_port))
        return self

    def close(self) -> None:
        if self._transport is not None and not self._closed:
            self._transport.close()
        if not self._closed:
            self._closed = True
            try:
                self._queue.put_nowait(None)  # wakes a waiting reader
            except asyncio.QueueFull:
                pass

    async def __aenter__(self) -> MoticonUdpReceiver:
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        self.close()

    def _datagram(self, data: bytes) -> None:
        for line in data.splitlines():
            if not line.strip():
                continue
            self.received_lines += 1
            try:
                sample = parse_moticon_udp_line(line, layout=self.layout, source=self.source)
            except InputError as exc:
                self.problems.append(DataProblem(self.source, exc.message,
                                                 row=self.received_lines, field=exc.field))
                continue
            try:
                self._queue.put_nowait(sample)
            except asyncio.QueueFull:
                self.dropped += 1

    async def receive(self, timeout_s: float | None = None) -> MoticonUdpSample:
        """The next sample; TimeoutError after ``timeout_s``, EOFError once closed."""
        if self._closed and self._queue.empty():
            raise EOFError("receiver closed")
        item = await asyncio.wait_for(self._queue.get(), timeout_s)
        if item is None:
            raise EOFError("receiver closed")
        return item

    def __aiter__(self) -> MoticonUdpReceiver:
        return self

    async def __anext__(self) -> MoticonUdpSample:
        try:
            return await self.receive()
        except EOFError:
            raise StopAsyncIteration from None
