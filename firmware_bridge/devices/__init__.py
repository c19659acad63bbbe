"""Device profiles: every BLE (or UDP) format solewatch reads, behind one interface.

A :class:`DeviceProfile` says how to recognise a device from its advertising, which
characteristics to subscribe, and turns each notification into :class:`Reading` records.
The byte layouts themselves live in one place each: the solewatch profile in
``firmware_bridge/profile.py``, the IEEE-11073 numbers in ``health_thermometer.py``, ORPHE in
``orphe.py``, Moticon's UDP line in ``firmware_bridge/readers/moticon.py``.

=====================  ============================  =====================================
profile                module                        recognised by
=====================  ============================  =====================================
solewatch insole       ``solewatch.py``              service b0a70001-..., name ``SWL-``/``SWR-``
Health Thermometer     ``health_thermometer.py``     service 0x1809
Environmental Sensing  ``environmental_sensing.py``  service 0x181A
ORPHE INSOLE           ``orphe.py``                  service db1b7aca-...
Moticon OpenGo (UDP)   ``moticon_udp.py``            never (not BLE: a UDP port)
=====================  ============================  =====================================
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Protocol

import numpy as np

from analysis.sites import Foot
from firmware_bridge.profile import normalise_uuid

#: Kinds of reading a profile may emit.
READING_KINDS = ("pressure", "temperature", "imu", "force", "cop")


@dataclass(frozen=True, eq=False)
class Reading:
    """Values one notification carried, of one kind, for one foot (or None if not known).

    ``values`` is (n_samples, n_channels); ``channels`` names the columns (sensor ids, sites,
    axes). ``site`` is set when all columns belong to one temperature site. ``device_time_s``
    is the device clock at the first sample in seconds (None when the device sends none) and
    ``sample_period_s`` the spacing of the samples within the reading (None: one sample, or
    all share one time). ``unit``: "counts", "C", "kPa", "N", "fs" (fraction of full scale),
    "q" (unit quaternion), "moticon" (as the Moticon software sends it; unit not published).
    """

    kind: str
    foot: Foot | None
    values: np.ndarray
    unit: str
    channels: tuple[str, ...]
    host_time_s: float
    site: str | None = None
    device_time_s: float | None = None
    sample_period_s: float | None = None
    sequence: int | None = None
    device_datetime: datetime | None = None
    info: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in READING_KINDS:
            raise ValueError(f"kind must be one of {READING_KINDS}, found {self.kind!r}")
        v = np.asarray(self.values)
        if v.ndim == 1:
            v = v[None, :]
        if v.ndim != 2 or v.shape[1] != len(self.channels):
            raise ValueError(
                f"{self.kind} reading: values of shape {v.shape} for {len(self.channels)} "
                "channels"
            )
        object.__setattr__(self, "values", v)


class Advertisement(Protocol):
    """What a scanner saw; bleak's ``AdvertisementData`` has these attributes."""

    local_name: str | None
    service_uuids: Sequence[str]
    manufacturer_data: Mapping[int, bytes]
    service_data: Mapping[str, bytes]


@dataclass(frozen=True)
class SimpleAdvertisement:
    """An :class:`Advertisement` built by hand (tests, replay files)."""

    local_name: str | None = None
    service_uuids: Sequence[str] = ()
    manufacturer_data: Mapping[int, bytes] = field(default_factory=dict)
    service_data: Mapping[str, bytes] = field(default_factory=dict)


def advertises_service(adv: Advertisement, service_uuid: str) -> bool:
    want = normalise_uuid(service_uuid)
    return any(normalise_uuid(u) == want for u in (adv.service_uuids or ()))


class DeviceProfile(ABC):
    """One device format. Subclasses set ``name`` and ``service_uuid`` and implement
    :meth:`notify_uuids` and :meth:`decode`; a profile instance belongs to one connected
    device (it may keep state such as a clock unwrap between notifications)."""

    name: ClassVar[str]
    #: the primary service that identifies the device (None: not a BLE device)
    service_uuid: ClassVar[str | None]

    @classmethod
    def recognises(cls, adv: Advertisement) -> bool:
        """True when an advertisement announces this kind of device."""
        return cls.service_uuid is not None and advertises_service(adv, cls.service_uuid)

    @property
    @abstractmethod
    def notify_uuids(self) -> tuple[str, ...]:
        """Characteristics (128-bit lower-case UUIDs) to subscribe to, after every reconnect."""

    @abstractmethod
    def decode(
        self, char_uuid: str, data: bytes, *, host_time_s: float, handle: int | None = None
    ) -> list[Reading]:
        """Readings of one notification of ``char_uuid``. ``handle`` tells apart several
        characteristics with one UUID (Environmental Sensing). Bad bytes raise
        :class:`analysis.errors.InputError` naming the field."""


def profile_classes() -> tuple[type[DeviceProfile], ...]:
    """Every built-in profile class (imported lazily: the modules import this one)."""
    from firmware_bridge.devices.environmental_sensing import EnvironmentalSensing
    from firmware_bridge.devices.health_thermometer import HealthThermometer
    from firmware_bridge.devices.moticon_udp import MoticonUdp
    from firmware_bridge.devices.orphe import OrpheInsole
    from firmware_bridge.devices.solewatch import SolewatchInsole

    return (SolewatchInsole, OrpheInsole, HealthThermometer, EnvironmentalSensing, MoticonUdp)


def recognise(adv: Advertisement) -> list[type[DeviceProfile]]:
    """Profile classes whose device an advertisement announces (usually zero or one)."""
    return [cls for cls in profile_classes() if cls.recognises(adv)]
