"""The live side of the dashboard: one reader of insoles or of a replay, one published frame.

* :mod:`dashboard.live.bus`: :class:`FrameBus`, the latest frame, JSON-encoded once per
  publication and read by every open tab (tabs never read insoles themselves).
* :mod:`dashboard.live.hub`: :class:`LiveHub`, a background thread with its own asyncio loop
  that owns the BLE radio, the wearer session or the replay player, and publishes frames.

The frame format is documented in :mod:`dashboard.live.bus` and docs/dashboard.md.
"""
