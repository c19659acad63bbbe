"""Environmental Sensing (0x181A) Temperature 0x2A6E instances as foot-site thermometers.

Each Temperature characteristic is a sint16 in 0.01 °C, 0x8000 = unknown (the same number as
the solewatch temperature sample, so the codec is ``profile.decode_centi_celsius``). A device
with several sites exposes several 0x2A6E characteristics; they share the UUID and are told
apart by their handle and their Characteristic User Description descriptor (0x2901).

Convention for the description text: ``<foot> <site>``, foot ``left`` or ``right``, site one
of ``analysis.sites.SITES`` (``hallux``, ``mth1``, ``mth3``, ``mth5``, ``midfoot``, ``heel``)
or ``big toe`` for the hallux. Case is ignored and ``-``/``_`` count as spaces:
``left hallux``, ``Right MTH1``, ``left_heel``, ``right big toe``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar, Final

import numpy as np

from analysis.errors import InputError
from analysis.sites import FEET, SITES, Foot
from firmware_bridge.devices import DeviceProfile, Reading
from firmware_bridge.profile import decode_centi_celsius, normalise_uuid, sig_uuid

SERVICE_UUID: Final = sig_uuid(0x181A)
TEMPERATURE_UUID: Final = sig_uuid(0x2A6E)
USER_DESCRIPTION_UUID: Final = sig_uuid(0x2901)
ES_MEASUREMENT_UUID: Final = sig_uuid(0x290C)

SITE_ALIASES: Final[dict[str, str]] = {**{s: s for s in SITES}, "big toe": "hallux"}


def parse_site_description(text: str) -> tuple[Foot, str]:
    """``"left hallux"`` -> ("left", "hallux"); anything else raises InputError."""
    words = re.sub(r"[\s_\-]+", " ", text).strip().lower()
    foot, _, site = words.partition(" ")
    if foot not in FEET or site not in SITE_ALIASES:
        raise InputError(
            f"user description {text!r} does not read '<foot> <site>' with foot in {FEET} "
            f"and site in {sorted(SITE_ALIASES)}",
            field="0x2901 user description",
        )
    return foot, SITE_ALIASES[site]  # type: ignore[return-value]


def decode_temperature(data: bytes) -> float:
    """0x2A6E value -> °C (NaN for 0x8000 unknown)."""
    if len(data) != 2:
        raise InputError(f"temperature of {len(data)} bytes, expected 2 (sint16 0.01 °C)",
                         field="length")
    return float(decode_centi_celsius(np.frombuffer(data, "<i2"))[0])


class EnvironmentalSensing(DeviceProfile):
    """Temperature characteristics of one device, each at a foot site.

    ``descriptions`` maps each 0x2A6E characteristic's handle to its 0x2901 text (read once
    after connecting).
    """

    name: ClassVar[str] = "environmental-sensing"
    service_uuid: ClassVar[str | None] = SERVICE_UUID

    def __init__(self, *, descriptions: Mapping[int, str]) -> None:
        if not descriptions:
            raise ValueError("no Temperature characteristics: give handle -> description")
        self.sites: dict[int, tuple[Foot, str]] = {
            handle: parse_site_description(text) for handle, text in descriptions.items()
        }
        seen: dict[tuple[Foot, str], int] = {}
        for handle, where in self.sites.items():
            if where in seen:
                raise InputError(
                    f"handles {seen[where]} and {handle} both describe {' '.join(where)}",
                    field="0x2901 user description",
                )
            seen[where] = handle

    @property
    def notify_uuids(self) -> tuple[str, ...]:
        return (TEMPERATURE_UUID,)

    def decode(
        self, char_uuid: str, data: bytes, *, host_time_s: float, handle: int | None = None
    ) -> list[Reading]:
        if normalise_uuid(char_uuid) != TEMPERATURE_UUID:
            raise InputError(f"not an ES Temperature characteristic: {char_uuid}",
                             source=self.name, field="characteristic")
        if handle is None and len(self.sites) == 1:
            handle = next(iter(self.sites))
        if handle not in self.sites:
            raise InputError(
                f"Temperature characteristic handle {handle} has no known site; known "
                f"handles: {sorted(self.sites)}",
                source=self.name, field="handle",
            )
        foot, site = self.sites[handle]
        return [Reading("temperature", foot=foot, site=site,
                        values=np.array([[decode_temperature(data)]]), unit="C",
                        channels=(site,), host_time_s=host_time_s, info={"handle": handle})]
