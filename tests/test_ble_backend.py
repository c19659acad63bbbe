"""bleak's public BleakScanner/BleakClient over the bumble backend and a virtual radio.

No mock of bleak: every test runs bleak 3.1.0's own classes with ``backend=`` set to the
project's bumble backend, over bumble's host stack and virtual controllers (docs/ble-testing.md).
Each test runs its own event loop with ``asyncio.run``, so each gets its own radio.
"""

from __future__ import annotations

import asyncio
import struct
import time

import pytest
from bleak import BleakClient, BleakScanner
from bleak.exc import BleakGATTProtocolError
from bumble import att, gatt
from bumble.core import AdvertisingData

from firmware_bridge.ble import BumbleClient, BumbleScanner, get_radio
from firmware_bridge.ble.radio import new_virtual_device

SERVICE = "b0a70001-3f1d-4e1b-8c57-736f6c657761"
COUNTER = "b0a7f002-3f1d-4e1b-8c57-736f6c657761"
READ_ONLY = "b0a7f004-3f1d-4e1b-8c57-736f6c657761"


def run(coro, timeout_s: float = 30.0):
    """Run a test coroutine on a fresh loop, bounded in time."""
    async def bounded():
        return await asyncio.wait_for(coro, timeout_s)

    return asyncio.run(bounded())


class CounterPeripheral:
    """A minimal bumble peripheral: one notify characteristic, one read-only one.

    Tests the backend on its own; the insole profile is tested with VirtualInsole.
    """

    def __init__(self, address: str, name: str) -> None:
        self.address = address
        self.name = name

    async def start(self, link) -> None:
        self.device = new_virtual_device(link, name=self.name, address=self.address)

        def refuse(_connection, _value):
            raise att.ATT_Error(att.ErrorCode.WRITE_NOT_PERMITTED)

        self.counter = gatt.Characteristic(
            COUNTER, gatt.Characteristic.Properties.NOTIFY, gatt.Characteristic.READABLE, b""
        )
        self.read_only = gatt.Characteristic(
            READ_ONLY, gatt.Characteristic.Properties.READ, gatt.Characteristic.READABLE,
            gatt.CharacteristicValue(read=lambda _c: b"\x2a", write=refuse),
        )
        self.device.add_service(gatt.Service(SERVICE, [self.counter, self.read_only]))
        uuid_le = bytes(reversed(bytes.fromhex(SERVICE.replace("-", ""))))
        self.device.advertising_data = bytes(AdvertisingData([
            (AdvertisingData.FLAGS, b"\x06"),
            (AdvertisingData.COMPLETE_LOCAL_NAME, self.name.encode()),
            (AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS, uuid_le),
        ]))
        await self.device.power_on()
        await self.device.start_advertising(
            auto_restart=True, advertising_interval_min=20, advertising_interval_max=20
        )

    async def stop(self) -> None:
        await self.device.stop_advertising()

    def connection(self):
        return next(iter(self.device.connections.values()))

    async def send(self, n: int, period_s: float, size: int = 200) -> None:
        conn = self.connection()
        for i in range(n):
            await self.device.notify_subscriber(
                conn, self.counter, struct.pack("<I", i) + bytes(size - 4)
            )
            await asyncio.sleep(period_s)


def test_scan_connect_notify_and_read_only_write_over_the_backend():
    async def scenario():
        radio = await get_radio("virtual")
        peripheral = await radio.add_peripheral(CounterPeripheral("C0:11:22:33:3A:7F", "SWL-3A7F"))
        found = await BleakScanner.discover(0.3, return_adv=True, backend=BumbleScanner)
        assert set(found) == {"C0:11:22:33:3A:7F"}
        device, adv = found["C0:11:22:33:3A:7F"]
        assert adv.local_name == "SWL-3A7F"
        assert adv.service_uuids == [SERVICE]
        assert isinstance(adv.rssi, int)
        assert device.details["address"].is_random

        received: list[tuple[float, bytes]] = []
        async with BleakClient(device, backend=BumbleClient) as client:
            assert client.mtu_size == 247
            assert client.services.get_service(SERVICE) is not None
            assert await client.read_gatt_char(READ_ONLY) == b"\x2a"
            t0 = time.monotonic()
            with pytest.raises(BleakGATTProtocolError) as error:
                await client.write_gatt_char(READ_ONLY, b"\x00", response=True)
            assert error.value.code == att.ErrorCode.WRITE_NOT_PERMITTED
            assert time.monotonic() - t0 < 1.0
            await client.start_notify(
                COUNTER, lambda _c, data: received.append((time.monotonic(), bytes(data)))
            )
            await peripheral.send(50, 0.01)
            await asyncio.sleep(0.05)
            await client.stop_notify(COUNTER)
        seq = [struct.unpack_from("<I", d)[0] for _, d in received]
        assert seq == list(range(50))
        assert all(len(d) == 200 for _, d in received)  # not cut to MTU-3 of 23
        await radio.close()

    run(scenario())


def test_peripheral_disconnect_fires_disconnected_callback_quickly():
    async def scenario():
        radio = await get_radio("virtual")
        peripheral = await radio.add_peripheral(CounterPeripheral("C0:11:22:33:3A:80", "SWR-3A80"))
        gone = asyncio.Event()
        client = BleakClient(
            "C0:11:22:33:3A:80", disconnected_callback=lambda _c: gone.set(),
            backend=BumbleClient, timeout=5.0,
        )
        await client.connect()
        assert client.is_connected
        t0 = time.monotonic()
        await peripheral.connection().disconnect()
        await asyncio.wait_for(gone.wait(), 1.0)
        assert time.monotonic() - t0 < 0.5
        assert not client.is_connected
        await client.disconnect()  # harmless when already gone
        await radio.close()

    run(scenario())


def test_connect_to_an_absent_address_times_out_within_the_timeout():
    async def scenario():
        radio = await get_radio("virtual")
        t0 = time.monotonic()
        with pytest.raises(TimeoutError):
            await BleakClient("C0:00:00:00:00:99", backend=BumbleClient, timeout=0.5).connect()
        elapsed = time.monotonic() - t0
        assert 0.4 < elapsed < 1.5
        # The controller is free again: a second connect attempt is not "already pending".
        with pytest.raises(TimeoutError):
            await BleakClient("C0:00:00:00:00:98", backend=BumbleClient, timeout=0.3).connect()
        await radio.close()

    run(scenario())


def test_one_radio_per_event_loop():
    async def radio_of_this_loop():
        a = await get_radio("virtual")
        b = await get_radio("virtual")
        assert a is b
        await a.close()
        return a

    first = run(radio_of_this_loop())
    second = run(radio_of_this_loop())
    assert first is not second
