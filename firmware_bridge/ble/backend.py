"""A bleak backend over bumble: bleak's public BleakScanner/BleakClient on any bumble radio.

Use bleak as usual and pass the backend classes::

    devices = await BleakScanner.discover(2.0, backend=BumbleScanner)
    async with BleakClient(devices[0], backend=BumbleClient) as client:
        side = await client.read_gatt_char(SIDE_UUID)

The radio is the running loop's :func:`~firmware_bridge.ble.radio.get_radio` for the transport
given as ``transport=`` (a keyword BleakScanner/BleakClient pass through) or
$SOLEWATCH_BLE_TRANSPORT (default ``"virtual"``). ``radio=`` passes a radio explicitly.

Addresses: bumble compares address types (public/random) as well as bytes, bleak's strings
carry none. The scanner keeps the typed :class:`bumble.hci.Address` in ``BLEDevice.details``
(``details["address"]``); a client made from a plain string looks the type up among the
addresses the radio has seen advertising, else assumes a random address (what BLE peripherals
use), or takes ``"AA:BB:CC:DD:EE:FF/P"`` for a public one.
"""

from __future__ import annotations

import asyncio
import logging
import uuid as uuid_module
from collections.abc import Callable
from typing import Any

from bleak.args import SizedBuffer
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, AdvertisementDataCallback, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakDeviceNotFoundError, BleakError, BleakGATTProtocolError
from bumble import att, hci
from bumble.core import UUID, AdvertisingData
from bumble.core import ConnectionError as BumbleConnectionError
from bumble.core import TimeoutError as BumbleTimeoutError
from bumble.device import Advertisement, Connection, Peer
from bumble.gatt_client import CharacteristicProxy

from firmware_bridge.ble.radio import VirtualRadio, get_radio

logger = logging.getLogger(__name__)

#: ATT MTU the client asks for on every connection (a full 9-sample pressure frame fits).
CLIENT_MTU = 247
#: Default time limit of one GATT operation, s (the ATT protocol's own limit is 30 s).
GATT_TIMEOUT_S = 10.0

_AD = AdvertisingData.Type
_UUID_LISTS = (
    _AD.INCOMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
    _AD.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
    _AD.INCOMPLETE_LIST_OF_32_BIT_SERVICE_CLASS_UUIDS,
    _AD.COMPLETE_LIST_OF_32_BIT_SERVICE_CLASS_UUIDS,
    _AD.INCOMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
    _AD.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
)
_SERVICE_DATA = {
    _AD.SERVICE_DATA_16_BIT_UUID: 2,
    _AD.SERVICE_DATA_32_BIT_UUID: 4,
    _AD.SERVICE_DATA_128_BIT_UUID: 16,
}


def bleak_uuid(u: UUID) -> str:
    """A bumble UUID as bleak writes UUIDs: the 128-bit lower-case string."""
    return str(uuid_module.UUID(bytes=bytes(reversed(u.to_bytes(force_128=True)))))


def address_string(address: hci.Address) -> str:
    """bleak's form of an address: MSB first, upper case, no type qualifier."""
    return address.to_string(with_type_qualifier=False)


def parse_advertisement(
    adv: Advertisement,
) -> tuple[str | None, list[str], dict[int, bytes], dict[str, bytes], int | None]:
    """Name, service UUIDs, manufacturer data, service data and TX power of an advertisement.

    bumble joins the scan response to the advertising data; structures repeated there are
    counted once.
    """
    name: str | None = None
    short_name: str | None = None
    uuids: list[str] = []
    manufacturer: dict[int, bytes] = {}
    service_data: dict[str, bytes] = {}
    tx_power: int | None = None
    for ad_type, data in adv.data.ad_structures:
        if ad_type == _AD.COMPLETE_LOCAL_NAME:
            name = data.decode("utf-8", errors="replace")
        elif ad_type == _AD.SHORTENED_LOCAL_NAME:
            short_name = data.decode("utf-8", errors="replace")
        elif ad_type in _UUID_LISTS:
            width = 2 if ad_type <= 0x03 else 4 if ad_type <= 0x05 else 16
            for i in range(0, len(data) - width + 1, width):
                u = bleak_uuid(UUID.from_bytes(data[i:i + width]))
                if u not in uuids:
                    uuids.append(u)
        elif ad_type in _SERVICE_DATA:
            width = _SERVICE_DATA[ad_type]
            if len(data) >= width:
                service_data[bleak_uuid(UUID.from_bytes(data[:width]))] = bytes(data[width:])
        elif ad_type == _AD.MANUFACTURER_SPECIFIC_DATA and len(data) >= 2:
            manufacturer[int.from_bytes(data[:2], "little")] = bytes(data[2:])
        elif ad_type == _AD.TX_POWER_LEVEL and len(data) == 1:
            tx_power = int.from_bytes(data, "little", signed=True)
    return name or short_name, uuids, manufacturer, service_data, tx_power


class BumbleScanner(BaseBleakScanner):
    """bleak scanner backend on the running loop's bumble radio.

    Extra keywords (through BleakScanner): ``transport=`` a bumble transport string,
    ``radio=`` a :class:`VirtualRadio`. ``BLEDevice.details`` is a dict with the typed
    ``address`` (bumble.hci.Address) and the ``radio``.
    """

    def __init__(
        self,
        detection_callback: AdvertisementDataCallback | None,
        service_uuids: list[str] | None,
        scanning_mode: str = "active",
        *,
        transport: str | None = None,
        radio: VirtualRadio | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(detection_callback, service_uuids)
        self._active = scanning_mode != "passive"
        self._transport = transport
        self._radio = radio
        self._scanning = False

    async def start(self) -> None:
        if self._scanning:
            return
        radio = self._radio or await get_radio(self._transport)
        self._radio = radio
        self.seen_devices = {}
        radio.central.on(radio.central.EVENT_ADVERTISEMENT, self._on_advertisement)
        try:
            await radio.acquire_scan(active=self._active)
        except BaseException:
            radio.central.remove_listener(
                radio.central.EVENT_ADVERTISEMENT, self._on_advertisement
            )
            raise
        self._scanning = True

    async def stop(self) -> None:
        if not self._scanning:
            return
        self._scanning = False
        radio = self._radio
        radio.central.remove_listener(radio.central.EVENT_ADVERTISEMENT, self._on_advertisement)
        await radio.release_scan()

    def _on_advertisement(self, adv: Advertisement) -> None:
        name, uuids, manufacturer, service_data, tx_power = parse_advertisement(adv)
        if not self.is_allowed_uuid(uuids):
            return
        address = address_string(adv.address)
        key = str(adv.address)  # with the /P qualifier: one entry per typed address
        data = AdvertisementData(
            local_name=name,
            manufacturer_data=manufacturer,
            service_data=service_data,
            service_uuids=uuids,
            tx_power=tx_power,
            rssi=adv.rssi,
            platform_data=(adv,),
        )
        previous = self.seen_devices.get(key)
        if name is None and previous is not None:
            name = previous[0].name
        self._radio.remember_address(adv.address)
        device = self.create_or_update_device(
            key, address, name, {"address": adv.address, "radio": self._radio}, data
        )
        self.call_detection_callbacks(device, data)


def _typed_address(
    address_or_ble_device: BLEDevice | str, radio: VirtualRadio | None
) -> hci.Address:
    if isinstance(address_or_ble_device, BLEDevice):
        details = address_or_ble_device.details
        if isinstance(details, dict) and isinstance(details.get("address"), hci.Address):
            return details["address"]
        text = address_or_ble_device.address
    else:
        text = address_or_ble_device
    text = text.strip()
    if text.upper().endswith("/P"):
        return hci.Address(text[:-2], hci.Address.PUBLIC_DEVICE_ADDRESS)
    if radio is not None:
        known = radio.known_address(text)
        if known is not None:
            return known
    return hci.Address(text, hci.Address.RANDOM_DEVICE_ADDRESS)


class BumbleClient(BaseBleakClient):
    """bleak client backend on a bumble radio.

    Extra keywords (through BleakClient): ``transport=``, ``radio=`` as for
    :class:`BumbleScanner`; ``mtu=`` the ATT MTU to ask for (default 247);
    ``gatt_timeout=`` seconds per GATT operation (default 10). bleak's ``services=`` limits
    service discovery to those services.
    """

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        *,
        disconnected_callback: Callable[[], None] | None = None,
        timeout: float = 10.0,
        transport: str | None = None,
        radio: VirtualRadio | None = None,
        mtu: int = CLIENT_MTU,
        gatt_timeout: float = GATT_TIMEOUT_S,
        services: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout
        )
        if isinstance(address_or_ble_device, BLEDevice):
            details = address_or_ble_device.details
            if radio is None and isinstance(details, dict):
                radio = details.get("radio")
            self._device_name = address_or_ble_device.name
        else:
            self._device_name = None
        self._target = address_or_ble_device
        self._transport = transport
        self._radio: VirtualRadio | None = radio
        self._wanted_mtu = mtu
        self._gatt_timeout = gatt_timeout
        self._service_filter = services
        self._connection: Connection | None = None
        self._peer: Peer | None = None
        self._chars: dict[int, CharacteristicProxy] = {}
        self._notify: dict[int, Callable[[bytes], None]] = {}
        self._closing = False

    # -- properties ----------------------------------------------------------------------

    @property
    def name(self) -> str:
        if self._device_name:
            return self._device_name
        return self.address.replace(":", "-")

    @property
    def mtu_size(self) -> int:
        if self._connection is None:
            return 23
        return self._connection.att_mtu

    @property
    def is_connected(self) -> bool:
        c = self._connection
        # By identity: a later connection may reuse the handle.
        return c is not None and c.device.connections.get(c.handle) is c

    @property
    def connection(self) -> Connection | None:
        """The bumble connection (not part of bleak's API; for tests and diagnostics)."""
        return self._connection

    # -- connecting ----------------------------------------------------------------------

    async def connect(self, pair: bool = False, **kwargs: Any) -> None:
        timeout = float(kwargs.get("timeout", self._timeout))
        radio = self._radio or await get_radio(self._transport)
        self._radio = radio
        address = _typed_address(self._target, radio)
        try:
            connection = await radio.connect(address, timeout_s=timeout)
        except (TimeoutError, BumbleTimeoutError) as error:
            raise TimeoutError(
                f"no connection to {address} within {timeout:g} s"
            ) from error
        except BumbleConnectionError as error:
            raise BleakDeviceNotFoundError(
                self.address, f"connection to {address} failed: {error}"
            ) from error
        self._connection = connection
        self._closing = False
        connection.on(connection.EVENT_DISCONNECTION, self._on_disconnection)
        try:
            async with asyncio.timeout(max(timeout, self._gatt_timeout)):
                peer = Peer(connection)
                self._peer = peer
                if self._wanted_mtu > 23:
                    await peer.request_mtu(self._wanted_mtu)
                if pair:
                    await connection.pair()
                await self._discover(peer)
        except BaseException:
            await self._drop_connection()
            raise

    async def _discover(self, peer: Peer) -> None:
        services = BleakGATTServiceCollection()
        chars: dict[int, CharacteristicProxy] = {}
        wanted = [UUID(u) for u in self._service_filter or ()]  # BleakClient(services=...)
        for service in await peer.discover_services(wanted):
            bservice = BleakGATTService(service, service.handle, bleak_uuid(service.uuid))
            services.add_service(bservice)
            for char in await peer.discover_characteristics(service=service):
                props = [
                    name.lower()
                    for name in str(char.properties).split("|")
                    if name
                ]
                props = [_PROPERTY_NAMES.get(p, p) for p in props]
                bchar = BleakGATTCharacteristic(
                    char, char.handle, bleak_uuid(char.uuid), props,
                    self._max_write_without_response, bservice,
                )
                services.add_characteristic(bchar)
                chars[char.handle] = char
                for desc in await peer.discover_descriptors(characteristic=char):
                    services.add_descriptor(
                        BleakGATTDescriptor(desc, desc.handle, bleak_uuid(desc.type), bchar)
                    )
        self._chars = chars
        self.services = services

    def _max_write_without_response(self) -> int:
        return self.mtu_size - 3

    def _on_disconnection(self, reason: int) -> None:
        self._notify.clear()
        if self._closing:
            return
        callback = self._disconnected_callback
        if callback is not None:
            callback()

    async def _drop_connection(self) -> None:
        connection = self._connection
        self._closing = True
        if connection is not None and self.is_connected:
            try:
                await asyncio.wait_for(
                    connection.disconnect(hci.HCI_REMOTE_USER_TERMINATED_CONNECTION_ERROR),
                    self._gatt_timeout,
                )
            except (hci.HCI_Error, BumbleConnectionError, TimeoutError) as error:
                logger.debug("disconnect from %s failed: %s", self.address, error)

    async def disconnect(self) -> None:
        await self._drop_connection()
        self.services = None
        self._chars = {}
        self._peer = None

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        connection = self._require_connection()
        await asyncio.wait_for(connection.pair(), self._gatt_timeout)

    async def unpair(self) -> None:
        radio = self._radio
        address = _typed_address(self._target, radio)
        await self.disconnect()
        keystore = radio.central.keystore if radio is not None else None
        if keystore is not None:
            try:
                await keystore.delete(str(address))
            except KeyError:
                pass

    # -- GATT ----------------------------------------------------------------------------

    def _require_connection(self) -> Connection:
        if not self.is_connected:
            raise BleakError(f"not connected to {self.address}")
        return self._connection

    async def _gatt(self, what: str, coro: Any) -> Any:
        self._require_connection()
        try:
            return await asyncio.wait_for(coro, self._gatt_timeout)
        except att.ATT_Error as error:
            raise BleakGATTProtocolError(error.error_code) from error
        except TimeoutError as error:
            raise TimeoutError(
                f"{what} on {self.address}: no answer within {self._gatt_timeout:g} s"
            ) from error
        except asyncio.CancelledError:
            if not self.is_connected:
                raise BleakError(f"{what} on {self.address}: disconnected") from None
            raise

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False,
        **kwargs: Any,
    ) -> bytearray:
        if use_cached and self._peer is not None:
            cached = self._peer.gatt_client.cached_values.get(characteristic.handle)
            if cached is not None:
                return bytearray(cached[1])
        value = await self._gatt(
            f"read {characteristic.uuid}",
            self._peer.read_value(characteristic.handle),
        )
        return bytearray(value)

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        if use_cached and self._peer is not None:
            cached = self._peer.gatt_client.cached_values.get(descriptor.handle)
            if cached is not None:
                return bytearray(cached[1])
        value = await self._gatt(
            f"read descriptor {descriptor.handle}", self._peer.read_value(descriptor.handle)
        )
        return bytearray(value)

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: SizedBuffer, response: bool
    ) -> None:
        await self._gatt(
            f"write {characteristic.uuid}",
            self._peer.write_value(characteristic.handle, bytes(data), with_response=response),
        )

    async def write_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, data: SizedBuffer
    ) -> None:
        await self._gatt(
            f"write descriptor {descriptor.handle}",
            self._peer.write_value(descriptor.handle, bytes(data), with_response=True),
        )

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback,
        **kwargs: Any,
    ) -> None:
        char = self._chars.get(characteristic.handle)
        if char is None:
            raise BleakError(f"characteristic {characteristic.uuid} is not on this peer")
        previous = self._notify.pop(characteristic.handle, None)
        if previous is not None:
            await self._gatt("unsubscribe", self._peer.unsubscribe(char, previous))

        def subscriber(value: bytes) -> None:
            callback(bytearray(value))

        self._notify[characteristic.handle] = subscriber
        await self._gatt(
            f"subscribe {characteristic.uuid}",
            self._peer.subscribe(char, subscriber, prefer_notify=True),
        )

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        char = self._chars.get(characteristic.handle)
        subscriber = self._notify.pop(characteristic.handle, None)
        if char is None or subscriber is None:
            return
        await self._gatt(
            f"unsubscribe {characteristic.uuid}", self._peer.unsubscribe(char, subscriber)
        )


#: bumble property names -> bleak's.
_PROPERTY_NAMES = {
    "write_without_response": "write-without-response",
    "authenticated_signed_writes": "authenticated-signed-writes",
    "extended_properties": "extended-properties",
}
