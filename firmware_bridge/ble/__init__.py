"""BLE for solewatch: a bleak backend over bumble, and virtual insoles to talk to.

* :mod:`firmware_bridge.ble.radio` — :class:`VirtualRadio`, one bumble host stack per event loop
  (an in-process virtual link, or a real dongle / remote controller through a bumble transport).
* :mod:`firmware_bridge.ble.backend` — :class:`BumbleScanner`, :class:`BumbleClient`: pass them
  as ``backend=`` to bleak's BleakScanner / BleakClient.
* :mod:`firmware_bridge.ble.peripheral` — :class:`VirtualInsole` (the GATT profile of
  docs/ble-profile.md) with :class:`FaultPlan` fault injection.
* :mod:`firmware_bridge.ble.simulate` — the insoles as a separate process, HCI over TCP.
* :mod:`firmware_bridge.ble.discovery` — ``scan()`` -> :class:`InsoleInfo` (side, RSSI, battery).
* :mod:`firmware_bridge.ble.pairing` — ``pair()`` / ``unpair()`` a wearer's two insoles,
  persisted in ``$SOLEWATCH_HOME``.
* :mod:`firmware_bridge.ble.session` — :class:`WearerSession`: both insoles streamed into the
  stream assemblers, reconnects, link health, recording; ``replay_batches()``.

See docs/ble-testing.md and docs/streaming.md.
"""

from firmware_bridge.ble.backend import BumbleClient, BumbleScanner
from firmware_bridge.ble.radio import TRANSPORT_ENV, VirtualRadio, get_radio

__all__ = ["TRANSPORT_ENV", "BumbleClient", "BumbleScanner", "VirtualRadio", "get_radio"]
