"""The solewatch insole (docs/ble-profile.md) as a :class:`DeviceProfile`; bytes via profile.py."""

from __future__ import annotations

import re
from typing import ClassVar

from analysis.errors import InputError
from analysis.layouts import SOLEWATCH_16, SensorLayout
from analysis.sites import SITES, Foot, check_foot
from firmware_bridge.devices import Advertisement, DeviceProfile, Reading
from firmware_bridge.profile import (
    PRESSURE_UUID,
    SERVICE_UUID,
    TEMPERATURE_UUID,
    FrameType,
    Rates,
    counts_to_float,
    decode_frame,
    frame_channels,
    normalise_uuid,
)

#: Advertised name: "SW" + side letter + "-" + last four hex digits of the address.
NAME_PATTERN = re.compile(r"^SW([LR])-[0-9A-F]{4}$")


def side_from_name(name: str | None) -> Foot | None:
    """The foot an advertised name announces (``SWL-3A7F`` -> left), None if not ours."""
    m = NAME_PATTERN.match(name or "")
    if not m:
        return None
    return "left" if m.group(1) == "L" else "right"


class SolewatchInsole(DeviceProfile):
    """One solewatch insole. ``foot``, ``layout`` and ``rates`` come from the Side, Sensor
    layout and Rates characteristics read after connecting."""

    name: ClassVar[str] = "solewatch"
    service_uuid: ClassVar[str | None] = SERVICE_UUID

    def __init__(self, *, foot: str, rates: Rates, layout: SensorLayout = SOLEWATCH_16) -> None:
        self.foot: Foot = check_foot(foot)
        self.layout = layout
        self.rates = rates

    @classmethod
    def recognises(cls, adv: Advertisement) -> bool:
        return super().recognises(adv) or side_from_name(adv.local_name) is not None

    @property
    def notify_uuids(self) -> tuple[str, ...]:
        return (PRESSURE_UUID, TEMPERATURE_UUID)

    def decode(
        self, char_uuid: str, data: bytes, *, host_time_s: float, handle: int | None = None
    ) -> list[Reading]:
        uuid = normalise_uuid(char_uuid)
        if uuid not in (PRESSURE_UUID, TEMPERATURE_UUID):
            raise InputError(f"not a solewatch stream characteristic: {char_uuid}",
                             source=f"solewatch {self.foot}", field="characteristic")
        frame = decode_frame(data, n_sensors=self.layout.n_sensors,
                             source=f"solewatch {self.foot}")
        is_temperature = frame.frame_type == FrameType.TEMPERATURE
        if is_temperature != (uuid == TEMPERATURE_UUID):
            raise InputError(
                f"frame type {int(frame.frame_type):#x} on the "
                f"{'Temperature' if uuid == TEMPERATURE_UUID else 'Pressure'} characteristic",
                source=f"solewatch {self.foot}", field="type",
            )
        common = {
            "foot": self.foot,
            "host_time_s": host_time_s,
            "device_time_s": frame.tick / self.rates.tick_hz,
            "sequence": frame.seq,
            "info": {"tick": frame.tick, "frame_type": int(frame.frame_type)},
        }
        if is_temperature:
            return [Reading("temperature", values=frame.samples, unit="C", channels=SITES,
                            sample_period_s=self.rates.temperature_period_ms / 1000.0,
                            **common)]
        first, ch = frame_channels(frame.frame_type, self.layout.n_sensors)
        return [Reading("pressure", values=counts_to_float(frame.samples), unit="counts",
                        channels=self.layout.sensor_ids[first: first + ch],
                        sample_period_s=1.0 / self.rates.pressure_hz, **common)]
