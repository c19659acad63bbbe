"""bleak's public BleakScanner/BleakClient over the bumble backend and a virtual radio.

No mock of bleak: every test runs bleak 3.1.0's own classes with ``backend=`` set to the
project's bumble backend, over bumble's host stack and virtual controllers (docs/ble-testing.md).
Each test runs its own event loop with ``asyncio.run``, so each gets its own radio.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from bleak import BleakClient, BleakScanner
from bleak.exc import BleakGATTProtocolError
from bleak_retry_connector import establish_connection
from bumble import att, gatt
from bumble.core import AdvertisingData
from bumble.hci import Address as BumbleAddress

from analysis.layouts import SOLEWATCH_16
from analysis.streams import PressureStream
from firmware_bridge import profile
from firmware_bridge.ble import TRANSPORT_ENV, BumbleClient, BumbleScanner, get_radio
from firmware_bridge.ble.peripheral import FaultPlan, VirtualInsole
from firmware_bridge.ble.radio import new_virtual_device, transport_setting

REPO = Path(__file__).resolve().parents[1]

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
        assert 0.4 < elapsed < 2.5  # not the endless wait of pitfall 1
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


# ---------------------------------------------------------------------------------------------
# The virtual insole (docs/ble-profile.md) through bleak


START = profile.encode_command(profile.Command(profile.Opcode.START))
STOP = profile.encode_command(profile.Command(profile.Opcode.STOP))


class Collector:
    """Notifications of one client, decoded with the profile codec; bad ones kept apart."""

    def __init__(self, n_sensors: int = 16) -> None:
        self.n_sensors = n_sensors
        self.frames: dict[str, list[profile.Frame]] = {"pressure": [], "temperature": []}
        self.rejected: dict[str, int] = {"pressure": 0, "temperature": 0}
        self.responses: list[profile.Response] = []
        self.battery: list[int] = []

    def on(self, what: str):
        def callback(_char, data: bytearray) -> None:
            try:
                self.frames[what].append(profile.decode_frame(bytes(data), n_sensors=16))
            except profile.FrameError:
                self.rejected[what] += 1
        return callback

    async def subscribe(self, client: BleakClient) -> None:
        await client.start_notify(profile.PRESSURE_UUID, self.on("pressure"))
        await client.start_notify(profile.TEMPERATURE_UUID, self.on("temperature"))
        await client.start_notify(
            profile.CONTROL_POINT_UUID,
            lambda _c, d: self.responses.append(profile.decode_response(bytes(d))),
        )
        await client.start_notify(
            profile.BATTERY_LEVEL_UUID, lambda _c, d: self.battery.append(d[0])
        )

    def seqs(self, what: str = "pressure") -> list[int]:
        return [f.seq for f in self.frames[what]]


async def insoles(*sides: str, **kwargs) -> tuple:
    radio = await get_radio("virtual")
    made = [await radio.add_peripheral(VirtualInsole(side, **kwargs)) for side in sides]
    return radio, made


async def connect(insole: VirtualInsole, **kwargs) -> BleakClient:
    client = BleakClient(insole.address, backend=BumbleClient, timeout=5.0, **kwargs)
    await client.connect()
    return client


def test_discover_finds_two_insoles_with_their_names_and_sides():
    async def scenario():
        radio, (left, _right) = await insoles("left", "right")
        found = await BleakScanner.discover(
            0.3, return_adv=True, backend=BumbleScanner, service_uuids=[profile.SERVICE_UUID]
        )
        names = {adv.local_name: dev for dev, adv in found.values()}
        assert set(names) == {"SWL-3A7F", "SWR-3A80"}
        for _, adv in found.values():
            assert adv.service_uuids == [profile.SERVICE_UUID]
            assert isinstance(adv.rssi, int)  # bumble's virtual radio: always -50
        assert len(left.advertising_data) <= 31
        for name, side in (("SWL-3A7F", "left"), ("SWR-3A80", "right")):
            async with BleakClient(names[name], backend=BumbleClient,
                                   services=[profile.SERVICE_UUID]) as client:
                assert [s.uuid for s in client.services] == [profile.SERVICE_UUID]
                assert profile.decode_side(await client.read_gatt_char(profile.SIDE_UUID)) == side
        await radio.close()

    run(scenario())


def test_insole_characteristics_and_a_lossless_100_hz_stream():
    async def scenario():
        radio, (left,) = await insoles("left")
        client = await connect(left)
        assert client.mtu_size == 247
        read = client.read_gatt_char
        layout = profile.decode_layout(await read(profile.SENSOR_LAYOUT_UUID))
        assert layout.name == "solewatch-16" and layout.n_sensors == 16
        rates = profile.decode_rates(await read(profile.RATES_UUID))
        assert rates == profile.Rates(100, 1000, 1000)
        cal = profile.decode_calibration(await read(profile.CALIBRATION_UUID), n_sensors=16)
        assert cal == left.calibration
        assert (await read(profile.BATTERY_LEVEL_UUID))[0] == left.battery_percent
        assert (await read(profile.sig_uuid(0x2A29))).decode().startswith("solewatch")
        assert (await read(profile.sig_uuid(0x2A26))).decode() == left.firmware
        profile.decode_current_time(await read(profile.CURRENT_TIME_UUID))

        got = Collector()
        await got.subscribe(client)
        await asyncio.sleep(0.25)
        assert got.frames["pressure"] == []  # nothing before Start
        t_start = time.monotonic()
        await client.write_gatt_char(profile.CONTROL_POINT_UUID, START, response=True)
        await asyncio.sleep(2.0)
        await client.write_gatt_char(profile.CONTROL_POINT_UUID, STOP, response=True)
        streamed_s = time.monotonic() - t_start
        # everything sent before Stop arrives (waited for: a busy machine delivers later)
        await until(lambda: len(got.frames["pressure"]) == left.counts.frames["pressure"])
        n_after_stop = len(got.frames["pressure"])
        await asyncio.sleep(0.2)
        assert len(got.frames["pressure"]) == n_after_stop  # Stop stops

        frames = got.frames["pressure"]
        assert got.seqs() == list(range(len(frames)))  # none lost, none reordered
        assert got.rejected == {"pressure": 0, "temperature": 0}
        assert left.counts.frames["pressure"] == len(frames)
        samples = sum(f.n_samples for f in frames)
        assert 100 * streamed_s - 20 <= samples <= 100 * streamed_s  # 100 Hz, full frames
        assert all(f.n_samples == 9 for f in frames)  # 9 x 24 bytes fit MTU 247
        ticks = np.array([f.tick for f in frames])
        assert np.all(np.diff(ticks) == 90)  # 9 samples at 10 ticks each
        assert got.seqs("temperature")[:2] == [0, 1]
        assert [r.request_opcode for r in got.responses] == [1, 2]
        assert all(r.result == profile.ResultCode.SUCCESS for r in got.responses)
        # The counts are the calibrated generator's kPa.
        counts = np.concatenate([f.samples for f in frames]).astype(float)
        kpa = np.maximum(0.0, counts - cal.offset_counts) * cal.gain_kpa_per_count
        assert 0.0 <= kpa.min() and 50.0 < kpa.max() < 1000.0
        await client.disconnect()
        await radio.close()

    run(scenario())


def test_writes_to_read_only_characteristics_fail_fast():
    async def scenario():
        radio, (left,) = await insoles("left")
        client = await connect(left)
        for uuid in (profile.SIDE_UUID, profile.SENSOR_LAYOUT_UUID, profile.RATES_UUID,
                     profile.CALIBRATION_UUID, profile.BATTERY_LEVEL_UUID,
                     profile.PRESSURE_UUID, profile.sig_uuid(0x2A29)):
            t0 = time.monotonic()
            with pytest.raises(BleakGATTProtocolError) as error:
                await client.write_gatt_char(uuid, b"\x01", response=True)
            assert error.value.code == att.ErrorCode.WRITE_NOT_PERMITTED, uuid
            assert time.monotonic() - t0 < 1.0  # an ATT error, not the 30 s GATT timeout
        assert profile.decode_side(await client.read_gatt_char(profile.SIDE_UUID)) == "left"
        await client.disconnect()
        await radio.close()

    run(scenario())


def test_two_insoles_stream_at_once():
    async def scenario():
        radio, both = await insoles("left", "right")
        clients = [await connect(insole) for insole in both]
        got = [Collector(), Collector()]
        for client, collector in zip(clients, got, strict=True):
            await collector.subscribe(client)
        await asyncio.gather(*(
            c.write_gatt_char(profile.CONTROL_POINT_UUID, START, response=True)
            for c in clients
        ))
        await asyncio.sleep(1.5)
        for client in clients:
            await client.write_gatt_char(profile.CONTROL_POINT_UUID, STOP, response=True)
        for insole, collector in zip(both, got, strict=True):  # what was sent has arrived
            await until(lambda i=insole, c=collector:
                        len(c.frames["pressure"]) == i.counts.frames["pressure"])
        for client in clients:
            await client.disconnect()
        for insole, collector in zip(both, got, strict=True):
            n = len(collector.frames["pressure"])
            assert n >= 14
            assert collector.seqs() == list(range(n))
            assert insole.counts.frames["pressure"] == n
        await radio.close()

    run(scenario())


def test_injected_loss_truncation_and_malformed_frames_are_exactly_what_the_client_sees():
    async def scenario():
        plan = FaultPlan(drop_probability=0.1, gilbert_p_enter=0.05, gilbert_p_leave=0.5,
                         truncate_probability=0.1, malformed_probability=0.1, seed=3)
        radio, (left,) = await insoles("left", faults=plan, pressure_hz=200)
        client = await connect(left)
        got = Collector()
        await got.subscribe(client)
        await client.write_gatt_char(profile.CONTROL_POINT_UUID, START, response=True)
        await asyncio.sleep(2.0)
        await client.write_gatt_char(profile.CONTROL_POINT_UUID, STOP, response=True)
        await asyncio.sleep(0.1)
        c = left.counts
        for what in ("pressure", "temperature"):
            produced = c.frames[what]
            good = len(got.frames[what])
            assert good + got.rejected[what] == c.sent[what]
            assert c.sent[what] + c.dropped[what] == produced
            assert got.rejected[what] == c.truncated[what] + c.malformed[what]
            # Every sequence number not received intact was dropped or damaged.
            missing = produced - len(set(got.seqs(what)))
            assert missing == c.dropped[what] + c.truncated[what] + c.malformed[what]
        assert c.dropped["pressure"] > 0 and c.truncated["pressure"] > 0
        assert c.malformed["pressure"] > 0
        await client.disconnect()
        await radio.close()

    run(scenario())


def test_link_loss_fires_disconnected_callback_and_the_insole_comes_back():
    async def scenario():
        plan = FaultPlan(link_loss_at_s=0.4, link_loss_down_s=0.3)
        radio, (left,) = await insoles("left", faults=plan)
        lost = asyncio.Event()
        client = await connect(left, disconnected_callback=lambda _c: lost.set())
        got = Collector()
        await got.subscribe(client)
        await client.write_gatt_char(profile.CONTROL_POINT_UUID, START, response=True)
        await asyncio.wait_for(lost.wait(), 2.0)
        assert left.counts.link_losses == 1
        assert not client.is_connected
        assert got.seqs() == list(range(len(got.frames["pressure"])))
        # Silent while down, then advertising again: a new connection streams from seq 0.
        found = await BleakScanner.discover(0.1, backend=BumbleScanner)
        assert found == []
        await asyncio.sleep(0.3)
        client = await connect(left)
        again = Collector()
        await again.subscribe(client)
        await client.write_gatt_char(profile.CONTROL_POINT_UUID, START, response=True)
        await asyncio.sleep(0.5)
        assert again.seqs()[:2] == [0, 1]
        assert left.counts.link_losses == 1  # one-shot
        await client.disconnect()
        await radio.close()

    run(scenario())


def test_reboot_drift_low_battery_and_rate_change():
    async def scenario():
        plan = FaultPlan(reboot_at_s=0.5, low_battery_at_s=0.3, low_battery_percent=4,
                         drift_ppm=50_000.0)
        radio, (left,) = await insoles("left", faults=plan, initial_tick=2**32 - 300)
        client = await connect(left)
        got = Collector()
        await got.subscribe(client)
        await client.write_gatt_char(profile.CONTROL_POINT_UUID, START, response=True)
        # the reboot (0.5 s) and a few frames after it; waited for, not slept for, so a busy
        # machine slows the test instead of failing it
        await until(lambda: 0 in got.seqs()[1:] and len(got.seqs()) - got.seqs().index(0, 1) > 3)
        seqs = got.seqs()
        ticks = [f.tick for f in got.frames["pressure"]]
        restart = seqs.index(0, 1)  # the reboot: sequence back to 0 ...
        assert seqs[:restart] == list(range(restart))
        assert seqs[restart:] == list(range(len(seqs) - restart))
        assert ticks[restart] < 100  # ... and the tick too
        assert ticks[0] > 2**32 - 1000 and min(ticks[:restart]) < 1000  # wrapped before
        # The device clock runs 5% fast: samples, taken on it, keep 10 ticks apart, and its
        # ticks outpace the host's clock.
        assert set(np.diff(ticks[restart:]).tolist()) == {90}
        loop = asyncio.get_running_loop()
        tick_a, host_a = left.tick_now(), loop.time()
        await asyncio.sleep(0.2)
        tick_b, host_b = left.tick_now(), loop.time()
        assert (tick_b - tick_a) / 1000.0 / (host_b - host_a) == pytest.approx(1.05, abs=0.01)
        assert got.battery == [4] and left.counts.battery_notifications == 1
        assert left.counts.reboots == 1

        # Set the pressure rate to 50 Hz: 5 samples per frame keeps a frame every 100 ms.
        rate = profile.encode_command(profile.Command(profile.Opcode.SET_PRESSURE_RATE,
                                                      pressure_hz=50))
        await client.write_gatt_char(profile.CONTROL_POINT_UUID, rate, response=True)
        rates = profile.decode_rates(await client.read_gatt_char(profile.RATES_UUID))
        assert rates.pressure_hz == 50
        n0 = len(got.frames["pressure"])

        def five_sample_frames_after_the_change() -> int:
            fr = got.frames["pressure"]
            old = [i for i, f in enumerate(fr) if f.n_samples != 5]
            return len(fr) - 1 - (max(old) if old else n0)

        await until(lambda: five_sample_frames_after_the_change() >= 3)
        frames = got.frames["pressure"]
        # The samples due at the old rate go out first (the last frame maybe partial) ...
        last_old = max(i for i, f in enumerate(frames) if f.n_samples != 5)
        assert last_old <= n0 + 3
        later = frames[last_old + 1:]  # ... then 5-sample frames at 50 Hz
        assert len(later) >= 3
        assert set(np.diff([f.tick for f in later]).tolist()) == {100}
        # SET_TIME answers with the device tick.
        set_time = profile.encode_command(profile.Command(profile.Opcode.SET_TIME,
                                                          unix_time_ms=1_790_000_000_000))
        await client.write_gatt_char(profile.CONTROL_POINT_UUID, set_time, response=True)
        await until(lambda: got.responses and got.responses[-1].tick is not None)
        await client.disconnect()
        await radio.close()

    run(scenario())


async def until(condition, timeout_s: float = 10.0, poll_s: float = 0.02) -> None:
    """Wait for ``condition()`` to hold; fail naming it after ``timeout_s`` of loop time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"not reached within {timeout_s} s: {condition.__name__}")
        await asyncio.sleep(poll_s)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_simulator_process_over_hci_tcp():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "firmware_bridge.ble.simulate", "--left", "--right",
         "--port", str(port)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        line = proc.stdout.readline()  # "listening on ..." once ready
        assert line.startswith("listening on"), line

        async def scenario():
            transport = f"tcp-client:127.0.0.1:{port}"
            found = await BleakScanner.discover(
                0.3, return_adv=True, backend=BumbleScanner, transport=transport
            )
            names = {adv.local_name: dev for dev, adv in found.values()}
            assert set(names) == {"SWL-3A7F", "SWR-3A80"}
            got = Collector()
            async with BleakClient(names["SWR-3A80"], backend=BumbleClient) as client:
                assert client.mtu_size == 247
                assert profile.decode_side(
                    await client.read_gatt_char(profile.SIDE_UUID)) == "right"
                await got.subscribe(client)
                await client.write_gatt_char(profile.CONTROL_POINT_UUID, START, response=True)
                await asyncio.sleep(0.6)
            n = len(got.frames["pressure"])
            assert n >= 4 and got.seqs() == list(range(n))
            await (await get_radio(transport)).close()

        run(scenario(), timeout_s=20.0)
    finally:
        proc.terminate()
        try:
            proc.wait(5.0)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_a_recording_streams_sample_for_sample():
    """Counts of a raw recording arrive unchanged, in order, none lost or repeated."""
    async def scenario():
        n, k = 500, SOLEWATCH_16.n_sensors
        counts = (np.arange(n * k).reshape(n, k) * 7 % 4000).astype(float)
        counts[3, 5] = np.nan  # an invalid reading travels as 0xFFF
        recording = PressureStream(
            time_s=np.arange(n) / 100.0, left=counts, right=None, layout=SOLEWATCH_16,
            unit="raw", sample_rate_hz=100.0,
        )
        radio = await get_radio("virtual")
        left = await radio.add_peripheral(VirtualInsole("left", pressure=recording))
        client = await connect(left)
        got = Collector()
        await got.subscribe(client)
        await client.write_gatt_char(profile.CONTROL_POINT_UUID, START, response=True)
        await asyncio.sleep(1.0)
        await client.disconnect()
        received = np.concatenate([f.samples for f in got.frames["pressure"]])
        m = received.shape[0]
        assert m >= 90
        expected = counts[:m].copy()
        expected[np.isnan(expected)] = profile.INVALID_COUNT
        assert np.array_equal(received, expected.astype(np.uint16))
        await radio.close()

    run(scenario())


def test_transport_setting_comes_from_the_argument_then_the_environment(monkeypatch):
    monkeypatch.delenv(TRANSPORT_ENV, raising=False)
    assert transport_setting() == "virtual"
    monkeypatch.setenv(TRANSPORT_ENV, "tcp-client:127.0.0.1:9000")
    assert transport_setting() == "tcp-client:127.0.0.1:9000"
    assert transport_setting("usb:0") == "usb:0"


def test_bleak_retry_connector_connects_through_the_backend():
    async def scenario():
        radio, (left,) = await insoles("left")
        device = await BleakScanner.find_device_by_name(
            left.name, timeout=2.0, backend=BumbleScanner
        )
        assert device is not None
        client = await establish_connection(BleakClient, device, device.name,
                                            backend=BumbleClient)
        assert client.is_connected and client.mtu_size == 247
        assert profile.decode_side(await client.read_gatt_char(profile.SIDE_UUID)) == "left"
        await client.disconnect()
        await radio.close()

    run(scenario())


def test_a_burst_loses_exactly_n_consecutive_frames():
    async def scenario():
        radio, (left,) = await insoles("left")
        client = await connect(left)
        left.set_faults(FaultPlan(burst_at_s=0.3, burst_frames=4))  # at run time
        got = Collector()
        await got.subscribe(client)
        await client.write_gatt_char(profile.CONTROL_POINT_UUID, START, response=True)
        await asyncio.sleep(1.0)
        await client.disconnect()
        seqs = got.seqs()
        missing = sorted(set(range(seqs[-1] + 1)) - set(seqs))
        assert len(missing) == 4 == left.counts.dropped["pressure"]
        assert missing == list(range(missing[0], missing[0] + 4)) and missing[0] >= 3
        await radio.close()

    run(scenario())


def test_pairing_just_works():
    async def scenario():
        radio, (left,) = await insoles("left")
        client = BleakClient(left.address, backend=BumbleClient, pair=True, timeout=5.0)
        await client.connect()
        assert client._backend.connection.is_encrypted  # encryption itself is simulated
        assert profile.decode_side(await client.read_gatt_char(profile.SIDE_UUID)) == "left"
        await client.unpair()
        assert not client.is_connected
        await radio.close()

    run(scenario())


def left_address(insole: VirtualInsole):
    return BumbleAddress(insole.address, BumbleAddress.RANDOM_DEVICE_ADDRESS)


def test_after_bonding_a_reconnect_is_direct_and_an_absent_peer_still_times_out():
    async def scenario():
        radio, (left,) = await insoles("left")
        client = BleakClient(left.address, backend=BumbleClient, pair=True, timeout=5.0)
        await client.connect()
        await client.disconnect()
        # Bonded under the address it advertises: bumble's connect would now scan for it first.
        assert radio.central.address_resolver.can_resolve_to(left_address(left))
        client = BleakClient(left.address, backend=BumbleClient, timeout=5.0)
        await client.connect()  # the insole is advertising: connects at once
        await client.disconnect()
        await left.stop()
        t0 = time.monotonic()
        with pytest.raises(TimeoutError):
            await BleakClient(left.address, backend=BumbleClient, timeout=0.5).connect()
        assert time.monotonic() - t0 < 1.5  # bumble's own timeout, not the radio's backstop
        await radio.close()

    run(scenario())
