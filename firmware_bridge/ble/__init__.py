"""BLE for solewatch: a bleak backend over bumble, and virtual insoles to talk to.

* :mod:`firmware_bridge.ble.radio` — :class:`VirtualRadio`, one bumble host stack per event loop
  (an in-process virtual link, or a real dongle / remote controller through a bumble transport).
* :mod:`firmware_bridge.ble.backend` — :class:`BumbleScanner`, :class:`BumbleClient`: pass them
  as ``backend=`` to bleak's BleakScanner / BleakClient.
* :mod:`firmware_bridge.ble.peripheral` — :class:`VirtualInsole` (the GATT profile of
  docs/ble-profile.md) with :class:`FaultPlan` fault injection.
* :mod:`firmware_bridge.ble.simulate` — the insoles as a separate process, HCI over TCP.

See docs/ble-testing.md.
"""

from firmware_bridge.ble.backend import BumbleClient, BumbleScanner
from firmware_bridge.ble.radio import TRANSPORT_ENV, VirtualRadio, get_radio

__all__ = ["TRANSPORT_ENV", "BumbleClient", "BumbleScanner", "VirtualRadio", "get_radio"]
