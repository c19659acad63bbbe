"""One Bluetooth host stack per event loop: bumble's, over a virtual link or a real controller.

:class:`VirtualRadio` owns a bumble :class:`~bumble.device.Device` (the central the bleak backend
drives) and, for the default ``"virtual"`` transport, an in-process
:class:`~bumble.link.LocalLink` that virtual peripherals (:class:`VirtualInsole`) join with
controllers of their own. Any other transport string is handed to bumble's ``open_transport``
(``"usb:0"``, ``"serial:/dev/ttyUSB0"``, ``"tcp-client:127.0.0.1:9000"``, ...): the same host
stack then drives a real dongle or a remote controller (the simulator process).

Pitfalls handled here (docs/ble-testing.md): bumble objects bind to the loop running when they
are made, so a radio is created lazily, one per running loop (:func:`get_radio`); the virtual
controller's connection-cancel never completes (:class:`FixedController`); concurrent connects
corrupt the Device (:meth:`VirtualRadio.connect` holds a lock and a deadline); the stack
formats a debug string for every HCI packet even with logging off (:class:`QuietHost`,
:class:`FixedController` skip that unless debug logging is on).
"""

from __future__ import annotations

import asyncio
import logging
import os
import weakref
from typing import Any

from bumble import hci
from bumble.controller import Controller
from bumble.core import CommandTimeoutError, PhysicalTransport
from bumble.device import Connection, Device
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport import open_transport
from bumble.transport.common import AsyncPipeSink

from analysis.errors import SolewatchError

logger = logging.getLogger(__name__)

#: How long a controller behind a transport may take to answer the power-on commands.
POWER_ON_TIMEOUT_S = 10.0


class TransportError(SolewatchError):
    """The Bluetooth transport (dongle, serial port, HCI over TCP) cannot be used."""

    def __init__(self, transport: str, cause: object) -> None:
        self.transport = transport
        hint = (
            "is `solewatch simulate` running on that port?" if transport.startswith("tcp")
            else "is the dongle plugged in, and may this user open it?"
            if transport.startswith(("usb", "serial"))
            else "check SOLEWATCH_BLE_TRANSPORT"
        )
        super().__init__(
            f"cannot use the Bluetooth transport {transport!r}: {cause or type(cause).__name__}"
            f"; {hint} (unset SOLEWATCH_BLE_TRANSPORT to use two virtual insoles)"
        )

#: Environment variable naming the HCI transport; "virtual" (the default) is in-process.
TRANSPORT_ENV = "SOLEWATCH_BLE_TRANSPORT"
VIRTUAL = "virtual"
#: Random static address of the central (top two bits set).
CENTRAL_ADDRESS = "F0:5E:0A:7C:00:01"
#: Extra time a connect may take beyond its own timeout for the controller to confirm the
#: cancel, before the radio gives up on it.
CANCEL_GRACE_S = 2.0

_bumble_host_logger = logging.getLogger("bumble.host")
_bumble_controller_logger = logging.getLogger("bumble.controller")


def transport_setting(transport: str | None = None) -> str:
    """The transport to use: ``transport`` if given, else $SOLEWATCH_BLE_TRANSPORT, else virtual."""
    spec = transport or os.environ.get(TRANSPORT_ENV, "").strip() or VIRTUAL
    return spec


class FixedController(Controller):
    """bumble's virtual controller with two fixes.

    * LE Create Connection Cancel: the stock handler answers success but keeps the pending
      connection and never sends the connection-complete event that must follow, so a connect
      timeout waits forever. This one clears the pending connection and reports it failed
      (status Unknown Connection Identifier, as the specification asks).
    * No debug strings are formatted per packet unless bumble.controller logs at DEBUG.

    It also takes LE ACL packets of 251 bytes (as a controller with LE Data Length Extension
    does) instead of 27: a 227-byte notification then crosses HCI as one packet, not nine
    (a third of the CPU per notification).
    """

    le_acl_data_packet_length = 251
    supported_max_tx_octets = 251
    supported_max_rx_octets = 251
    suggested_max_tx_octets = 251

    def on_hci_packet(self, packet: hci.HCI_Packet) -> None:
        if _bumble_controller_logger.isEnabledFor(logging.DEBUG):
            super().on_hci_packet(packet)
            return
        if isinstance(packet, hci.HCI_Command):
            self.on_hci_command_packet(packet)
        elif isinstance(packet, hci.HCI_AclDataPacket):
            self.on_hci_acl_data_packet(packet)
        elif isinstance(packet, hci.HCI_Event):
            self.on_hci_event_packet(packet)

    def send_hci_packet(self, packet: hci.HCI_Packet) -> None:
        if _bumble_controller_logger.isEnabledFor(logging.DEBUG):
            super().send_hci_packet(packet)
            return
        if self.host:
            asyncio.get_running_loop().call_soon(self.host.on_packet, bytes(packet))

    def on_hci_le_create_connection_cancel_command(
        self, _command: hci.HCI_LE_Create_Connection_Cancel_Command
    ) -> hci.HCI_StatusReturnParameters:
        pending = self.pending_le_connection
        if pending is None:
            # Nothing to cancel (the connection completed meanwhile): stay permissive like the
            # stock controller so the host's connect returns the connection.
            return hci.HCI_StatusReturnParameters(hci.HCI_ErrorCode.SUCCESS)
        self.pending_le_connection = None
        failure = hci.HCI_LE_Connection_Complete_Event(
            status=hci.HCI_ErrorCode.UNKNOWN_CONNECTION_IDENTIFIER_ERROR,
            connection_handle=0,
            role=hci.Role.CENTRAL,
            peer_address_type=pending.peer_address_type,
            peer_address=pending.peer_address,
            connection_interval=0,
            peripheral_latency=0,
            supervision_timeout=0,
            central_clock_accuracy=0,
        )
        # After the Command Complete that the caller sends for this command.
        asyncio.get_running_loop().call_soon(self.send_hci_packet, failure)
        return hci.HCI_StatusReturnParameters(hci.HCI_ErrorCode.SUCCESS)


class QuietHost(Host):
    """bumble's Host without a debug string per HCI packet unless bumble.host logs at DEBUG."""

    def send_hci_packet(self, packet: hci.HCI_Packet) -> None:
        if _bumble_host_logger.isEnabledFor(logging.DEBUG):
            super().send_hci_packet(packet)
            return
        data = bytes(packet)
        if self.snooper:
            self.snooper.snoop(data, self.snooper.Direction.HOST_TO_CONTROLLER)
        if self.hci_sink:
            self.hci_sink.on_packet(data)

    def on_hci_packet(self, packet: hci.HCI_Packet) -> None:
        if _bumble_host_logger.isEnabledFor(logging.DEBUG) or self.snooper:
            super().on_hci_packet(packet)
            return
        if isinstance(packet, hci.HCI_Event):
            self.on_hci_event_packet(packet)
        elif isinstance(packet, hci.HCI_AclDataPacket):
            self.on_hci_acl_data_packet(packet)
        else:
            super().on_hci_packet(packet)


class CentralDevice(Device):
    """The central's bumble Device: connects to a bonded peer's address directly.

    After bonding, bumble's connect first scans, without a deadline, for an advertisement of
    the peer's identity address (and that scan stops any scan started meanwhile). The backend
    connects to the address the scanner reported, which is the one in use: no scan is needed.
    (A peer advertising resolvable private addresses is connected by its current address, which
    bumble does not try to resolve first.)
    """

    async def find_peer_by_identity_address(self, identity_address: hci.Address) -> hci.Address:
        return identity_address


def new_virtual_device(
    link: LocalLink, *, name: str, address: str, controller_name: str | None = None,
    device_class: type[Device] = Device,
) -> Device:
    """A bumble Device with its own (fixed, quiet) controller on ``link``; not yet powered on."""
    controller = FixedController(controller_name or name, link=link, public_address=address)
    host = QuietHost(controller, AsyncPipeSink(controller))
    return device_class(name=name, address=hci.Address(address), host=host)


class VirtualRadio:
    """The host stack the bleak backend drives, bound to the event loop that made it.

    Make one with :func:`get_radio` (one per loop and transport) rather than directly.
    ``transport`` is ``"virtual"`` (an in-process link that virtual peripherals join with
    :meth:`add_peripheral`) or a bumble transport string for a real or remote controller.
    """

    def __init__(self, transport: str = VIRTUAL, *, central_address: str = CENTRAL_ADDRESS):
        self.transport = transport
        self.loop = asyncio.get_running_loop()
        self.central_address = central_address
        self.link: LocalLink | None = None
        self.central: Device | None = None
        #: Serialises connects: two concurrent Device.connect() calls corrupt its state.
        self.connect_lock = asyncio.Lock()
        self._bumble_transport: Any = None
        self._peripherals: list[Any] = []
        self._scan_users = 0
        self._scan_lock = asyncio.Lock()
        self._seen: dict[str, hci.Address] = {}
        self.closed = False

    @property
    def is_virtual(self) -> bool:
        return self.transport == VIRTUAL

    async def open(self) -> VirtualRadio:
        if self.is_virtual:
            self.link = LocalLink()
            self.central = new_virtual_device(
                self.link, name="solewatch", address=self.central_address,
                controller_name="central", device_class=CentralDevice,
            )
        else:
            try:
                self._bumble_transport = await open_transport(self.transport)
            except Exception as error:  # OSError, usb1 and bumble errors alike
                raise TransportError(self.transport, error) from None
            host = QuietHost(self._bumble_transport.source, self._bumble_transport.sink)
            self.central = CentralDevice(
                name="solewatch", address=hci.Address(self.central_address), host=host
            )
        try:
            await asyncio.wait_for(self.central.power_on(), POWER_ON_TIMEOUT_S)
        except (TimeoutError, CommandTimeoutError) as error:
            raise TransportError(self.transport, error or "the controller did not answer") \
                from None
        return self

    async def add_peripheral(self, peripheral: Any) -> Any:
        """Start a virtual peripheral (e.g. a VirtualInsole) on this radio's link."""
        if self.link is None:
            raise RuntimeError(
                f"radio over {self.transport!r} has no virtual link: peripherals live where "
                "the controller is (run the simulator there)"
            )
        await peripheral.start(self.link)
        self._peripherals.append(peripheral)
        return peripheral

    # -- addresses -----------------------------------------------------------------------

    def remember_address(self, address: hci.Address) -> None:
        """Note a typed address seen advertising (so a bare string can be typed later)."""
        self._seen[address.to_string(with_type_qualifier=False)] = address

    def known_address(self, text: str) -> hci.Address | None:
        return self._seen.get(text.strip().upper())

    # -- scanning (shared by every scanner on this radio) --------------------------------

    async def acquire_scan(self, *, active: bool = True) -> None:
        async with self._scan_lock:
            self._scan_users += 1
            if self._scan_users == 1 or not self.central.is_scanning:
                await self.central.start_scanning(active=active, filter_duplicates=False)

    async def release_scan(self) -> None:
        async with self._scan_lock:
            self._scan_users = max(0, self._scan_users - 1)
            if self._scan_users == 0 and self.central.is_scanning:
                await self.central.stop_scanning()

    # -- connecting ----------------------------------------------------------------------

    async def connect(self, address: hci.Address, *, timeout_s: float) -> Connection:
        """Connect to ``address`` (typed) within ``timeout_s``, one connect at a time.

        Raises TimeoutError when the peer is not found in time. The controller is asked to
        cancel and given :data:`CANCEL_GRACE_S` to confirm; every step is under a deadline
        (bumble's own connect can wait without one, e.g. for an identity-address scan).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        async with asyncio.timeout(timeout_s + CANCEL_GRACE_S):
            async with self.connect_lock:
                remaining = max(0.05, deadline - loop.time())
                try:
                    return await self.central.connect(
                        address, transport=PhysicalTransport.LE, timeout=remaining
                    )
                except asyncio.CancelledError:
                    await self._cancel_pending_connect()
                    raise

    async def _cancel_pending_connect(self) -> None:
        if self.central is not None and self.central.is_le_connecting:
            try:
                await asyncio.wait_for(
                    self.central.send_sync_command(
                        hci.HCI_LE_Create_Connection_Cancel_Command()
                    ),
                    1.0,
                )
            except Exception:  # the link may be gone; nothing more to do
                logger.debug("connection cancel failed", exc_info=True)

    async def close(self) -> None:
        """Stop the peripherals, disconnect everything and release the transport."""
        if self.closed:
            return
        self.closed = True
        for p in self._peripherals:
            try:
                await p.stop()
            except Exception:
                logger.debug("peripheral stop failed", exc_info=True)
        if self.central is not None:
            for conn in list(self.central.connections.values()):
                try:
                    await asyncio.wait_for(conn.disconnect(), 1.0)
                except Exception:
                    logger.debug("disconnect at close failed", exc_info=True)
        if self._bumble_transport is not None:
            await self._bumble_transport.close()
        _forget(self)


_radios: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Future]] = (
    weakref.WeakKeyDictionary()
)


def _forget(radio: VirtualRadio) -> None:
    per_loop = _radios.get(radio.loop)
    if per_loop is not None:
        per_loop.pop(radio.transport, None)


async def get_radio(transport: str | None = None) -> VirtualRadio:
    """The radio of the running event loop for ``transport`` (default: the setting), made once.

    Safe to call from several tasks at once: they share one radio.
    """
    spec = transport_setting(transport)
    loop = asyncio.get_running_loop()
    per_loop = _radios.setdefault(loop, {})
    fut = per_loop.get(spec)
    if fut is None:
        fut = loop.create_future()
        per_loop[spec] = fut
        try:
            radio = await VirtualRadio(spec).open()
        except BaseException as error:
            per_loop.pop(spec, None)
            fut.set_exception(error)
            fut.exception()  # mark retrieved: other waiters re-raise it
            raise
        fut.set_result(radio)
        return radio
    return await asyncio.shield(fut)


def current_radio(transport: str | None = None) -> VirtualRadio | None:
    """The radio already made on the running loop for ``transport``, or None."""
    spec = transport_setting(transport)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    fut = _radios.get(loop, {}).get(spec)
    if fut is None or not fut.done() or fut.exception() is not None:
        return None
    return fut.result()
