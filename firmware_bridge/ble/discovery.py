"""Finding solewatch insoles: bleak's public BleakScanner -> :class:`InsoleInfo`.

The backend is chosen by :func:`bleak_backend` from the BLE settings
(:func:`firmware_bridge.ble.radio.transport_setting`): ``$SOLEWATCH_BLE_TRANSPORT`` unset or
``virtual`` is the in-process virtual radio; a bumble transport string (``usb:0``,
``serial:/dev/ttyACM0``, ``tcp-client:127.0.0.1:9000`` for the simulator process) drives that
controller through the same bumble backend; ``native`` uses bleak's own platform backend
(BlueZ, CoreBluetooth, WinRT).

The side comes from the advertised name (``SWL-xxxx`` left, ``SWR-xxxx`` right; profile
"Advertising"). The battery level is taken from advertising when the insole puts Battery
Service data (``0x180F``) there; a solewatch insole v1 has no room for it (its 31 bytes are
flags, name and the service UUID), so by default :func:`scan` reads Battery Level ``0x2A19``
on a short connection to each insole found (``InsoleInfo.battery_source`` says which).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from bleak import BleakClient, BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData

from analysis.sites import Foot
from firmware_bridge import profile
from firmware_bridge.ble.backend import BumbleClient, BumbleScanner
from firmware_bridge.ble.radio import transport_setting
from firmware_bridge.devices.solewatch import side_from_name

logger = logging.getLogger(__name__)

#: ``SOLEWATCH_BLE_TRANSPORT=native``: bleak's platform backend instead of bumble.
NATIVE = "native"
DEFAULT_SCAN_S = 2.0
#: Time limit of the short connection that reads the battery level, s.
BATTERY_READ_TIMEOUT_S = 4.0
BATTERY_SERVICE_DATA_UUID = profile.BATTERY_SERVICE_UUID


def is_native(transport: str | None = None) -> bool:
    return transport_setting(transport).lower() == NATIVE


def bleak_backend(transport: str | None = None, *, scanner: bool) -> dict[str, Any]:
    """Keyword arguments selecting the backend for BleakScanner (``scanner=True``) or
    BleakClient, per the BLE setting (see the module docstring)."""
    spec = transport_setting(transport)
    if spec.lower() == NATIVE:
        return {}
    return {"backend": BumbleScanner if scanner else BumbleClient, "transport": spec}


@dataclass(frozen=True)
class InsoleInfo:
    """One insole seen advertising.

    ``rssi`` in dBm (the virtual radio always reports -50); ``battery_pct`` None when it
    could not be read; ``battery_source`` ``"advertising"``, ``"gatt"`` (read on a short
    connection) or None.
    """

    address: str
    name: str
    side: Foot
    rssi: int | None
    battery_pct: int | None = None
    battery_source: str | None = None
    device: BLEDevice | None = field(default=None, compare=False, repr=False)


def _battery_from_advertising(adv: AdvertisementData) -> int | None:
    data = adv.service_data.get(BATTERY_SERVICE_DATA_UUID)
    if data and len(data) >= 1 and data[0] <= 100:
        return int(data[0])
    return None


async def read_battery(device: BLEDevice | str, *, transport: str | None = None,
                       timeout_s: float = BATTERY_READ_TIMEOUT_S) -> int | None:
    """Battery Level (0x2A19, %) read on a short connection; None when it fails."""
    try:
        async with asyncio.timeout(timeout_s):
            async with BleakClient(device, timeout=timeout_s,
                                   **bleak_backend(transport, scanner=False)) as client:
                value = await client.read_gatt_char(profile.BATTERY_LEVEL_UUID)
    except Exception as error:  # a battery read never fails a scan
        logger.info("battery of %s not read: %s", getattr(device, "address", device), error)
        return None
    return int(value[0]) if value else None


async def scan(
    timeout_s: float = DEFAULT_SCAN_S,
    *,
    transport: str | None = None,
    read_battery_level: bool = True,
    battery_timeout_s: float = BATTERY_READ_TIMEOUT_S,
) -> list[InsoleInfo]:
    """Scan for ``timeout_s`` seconds; the solewatch insoles found, left ones first.

    Only advertisers with the insole service UUID and a solewatch name count. With
    ``read_battery_level`` each insole whose advertising carries no battery level gets a
    short connection (one after another) to read it.
    """
    found = await BleakScanner.discover(
        timeout_s, return_adv=True, service_uuids=[profile.SERVICE_UUID],
        **bleak_backend(transport, scanner=True),
    )
    out: list[InsoleInfo] = []
    for device, adv in found.values():
        name = adv.local_name or device.name or ""
        side = side_from_name(name)
        if side is None:
            continue
        battery = _battery_from_advertising(adv)
        source = "advertising" if battery is not None else None
        out.append(InsoleInfo(device.address, name, side, adv.rssi, battery, source, device))
    if read_battery_level:
        for i, info in enumerate(out):
            if info.battery_pct is None:
                level = await read_battery(info.device, transport=transport,
                                           timeout_s=battery_timeout_s)
                if level is not None:
                    out[i] = InsoleInfo(info.address, info.name, info.side, info.rssi, level,
                                        "gatt", info.device)
    out.sort(key=lambda i: (i.side != "left", i.name))
    return out


async def find_insole(address: str, *, timeout_s: float = DEFAULT_SCAN_S,
                      transport: str | None = None) -> BLEDevice | None:
    """The advertising insole at ``address`` (case-insensitive), or None within ``timeout_s``."""
    wanted = address.strip().upper()
    return await BleakScanner.find_device_by_filter(
        lambda d, _adv: d.address.upper() == wanted, timeout=timeout_s,
        **bleak_backend(transport, scanner=True),
    )


async def find_insole_with_rssi(address: str, *, timeout_s: float = DEFAULT_SCAN_S,
                                transport: str | None = None) -> tuple[BLEDevice, int] | None:
    """Like :func:`find_insole`, with the RSSI (dBm) of the advertisement that found it."""
    wanted = address.strip().upper()
    rssi: list[int] = []

    def match(d: BLEDevice, adv: AdvertisementData) -> bool:
        if d.address.upper() == wanted:
            rssi.append(adv.rssi)
            return True
        return False

    device = await BleakScanner.find_device_by_filter(
        match, timeout=timeout_s, **bleak_backend(transport, scanner=True))
    if device is None:
        return None
    return device, rssi[-1] if rssi else None


__all__ = ["InsoleInfo", "bleak_backend", "find_insole", "find_insole_with_rssi", "is_native",
           "read_battery", "scan"]
