"""Pairing a left and a right insole to a wearer, persisted in the per-user data folder.

``pair(wearer, left_address, right_address)`` finds both insoles advertising, connects to
each, checks its Side characteristic says the foot it is paired as, and bonds where the
platform lets a program ask for it (``BleakClient.pair()``):

* bumble transports (the virtual radio, the simulator, a USB/serial HCI dongle): Just Works
  with LE Secure Connections and bonding (the insole has no display or keys). The keys live in
  the radio's in-memory key store: a later process connects without them (the insole does not
  require encryption in profile v1), and bonds again when paired again.
* Linux (BlueZ, ``SOLEWATCH_BLE_TRANSPORT=native``): ``pair()`` bonds through BlueZ, which
  keeps the bond across restarts.
* macOS (CoreBluetooth): a program cannot ask for pairing; bleak's ``pair()`` raises
  NotImplementedError and macOS pairs on demand when an encrypted characteristic is first
  read. The pairing is recorded with ``bonded: false`` and ``bond_note`` saying so.
* Windows (WinRT): ``pair()`` asks Windows for the highest protection level the insole
  supports (Just Works here); a dialog may appear.

The record (:class:`Pairing`) is kept in ``pairings.json`` in :func:`data_home`
(``$SOLEWATCH_HOME``, default ``~/.local/share/solewatch``): JSON with a schema version,
written to a temporary file in the same folder, fsynced and renamed over the old one, so a
crash leaves either the old or the new file, never half of one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bleak import BleakClient

from analysis.errors import InputError, SolewatchError
from analysis.sites import FEET, Foot
from firmware_bridge import profile
from firmware_bridge.ble.discovery import DEFAULT_SCAN_S, InsoleInfo, bleak_backend, find_insole

logger = logging.getLogger(__name__)

HOME_ENV = "SOLEWATCH_HOME"
DEFAULT_HOME = Path("~/.local/share/solewatch")
PAIRINGS_FILE = "pairings.json"
SCHEMA_VERSION = 1
CONNECT_TIMEOUT_S = 8.0
#: A wearer name: letters, digits, space, ``._-@``, 1-64 characters.
WEARER_PATTERN = re.compile(r"^[\w .@-]{1,64}$")
_ADDRESS = re.compile(r"^([0-9A-F]{2}:){5}[0-9A-F]{2}$|^[0-9A-F-]{36}$")


class PairingError(SolewatchError):
    """Pairing could not be done or the store could not be used (the message says why)."""


def data_home() -> Path:
    """The per-user data folder: ``$SOLEWATCH_HOME`` or ``~/.local/share/solewatch``."""
    env = os.environ.get(HOME_ENV, "").strip()
    return Path(env).expanduser() if env else DEFAULT_HOME.expanduser()


def check_wearer(wearer: str) -> str:
    w = (wearer or "").strip()
    if not WEARER_PATTERN.match(w):
        raise PairingError(f"wearer name {wearer!r}: use 1-64 letters, digits, spaces or ._-@")
    return w


def normalise_address(address: str) -> str:
    """Upper-case address; a MAC (``AA:BB:..``) or a macOS UUID identifier."""
    a = (address or "").strip().upper()
    if not _ADDRESS.match(a):
        raise PairingError(f"{address!r} is not a Bluetooth address (AA:BB:CC:DD:EE:FF)")
    return a


@dataclass(frozen=True)
class PairedInsole:
    """One insole of a pairing."""

    address: str
    name: str = ""
    bonded: bool = False
    #: how the bond was made or why there is none
    bond_note: str = ""


@dataclass(frozen=True)
class Pairing:
    """A wearer's two insoles."""

    wearer: str
    left: PairedInsole
    right: PairedInsole
    paired_unix_s: float = 0.0

    def insole(self, side: Foot) -> PairedInsole:
        return self.left if side == "left" else self.right

    @property
    def addresses(self) -> dict[str, Foot]:
        return {self.left.address: "left", self.right.address: "right"}

    def to_json(self) -> dict:
        return {"left": asdict(self.left), "right": asdict(self.right),
                "paired_unix_s": self.paired_unix_s}

    @classmethod
    def from_json(cls, wearer: str, d: dict) -> Pairing:
        return cls(wearer, PairedInsole(**d["left"]), PairedInsole(**d["right"]),
                   float(d.get("paired_unix_s", 0.0)))


class PairingStore:
    """The pairings file of a data folder (default :func:`data_home`)."""

    def __init__(self, home: str | Path | None = None) -> None:
        self.home = Path(home) if home is not None else data_home()
        self.path = self.home / PAIRINGS_FILE

    def load(self) -> dict[str, Pairing]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise PairingError(f"{self.path}: cannot read: {error}") from None
        try:
            doc = json.loads(text)
            version = doc.get("schema_version")
            if version != SCHEMA_VERSION:
                raise PairingError(f"{self.path}: schema version {version!r}, this solewatch "
                                   f"reads {SCHEMA_VERSION}")
            return {w: Pairing.from_json(w, p) for w, p in doc["wearers"].items()}
        except PairingError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise PairingError(f"{self.path}: not a solewatch pairings file ({error})") from None

    def save(self, pairings: dict[str, Pairing]) -> None:
        """Write atomically: temporary file in the same folder, fsync, rename, fsync folder."""
        doc = {"schema_version": SCHEMA_VERSION, "format": "solewatch pairings",
               "wearers": {w: p.to_json() for w, p in sorted(pairings.items())}}
        data = json.dumps(doc, indent=2, sort_keys=True).encode("utf-8") + b"\n"
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".pairings-", suffix=".tmp", dir=self.home)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            with contextlib.suppress(OSError):  # make the rename itself durable
                dfd = os.open(self.home, os.O_RDONLY)
                try:
                    os.fsync(dfd)
                finally:
                    os.close(dfd)
        except OSError as error:
            raise PairingError(f"{self.path}: cannot write: {error}") from None

    def get(self, wearer: str) -> Pairing | None:
        return self.load().get(check_wearer(wearer))

    def put(self, pairing: Pairing) -> None:
        pairings = self.load()
        pairings[pairing.wearer] = pairing
        self.save(pairings)

    def remove(self, wearer: str) -> Pairing:
        w = check_wearer(wearer)
        pairings = self.load()
        if w not in pairings:
            raise PairingError(f"no insoles are paired to {w!r}"
                               + (f" (paired: {', '.join(sorted(pairings))})" if pairings
                                  else ""))
        gone = pairings.pop(w)
        self.save(pairings)
        return gone

    def only_wearer(self) -> Pairing:
        """The one pairing there is (for commands where WEARER may be left out)."""
        pairings = self.load()
        if len(pairings) == 1:
            return next(iter(pairings.values()))
        if not pairings:
            raise PairingError("no insoles are paired yet: run 'solewatch pair WEARER LEFT "
                               "RIGHT' (or 'solewatch pair WEARER --auto')")
        raise PairingError(f"several wearers are paired ({', '.join(sorted(pairings))}): "
                           "name one")


async def _bond_one(side: Foot, address: str, *, transport: str | None, bond: bool,
                    scan_timeout_s: float, connect_timeout_s: float) -> PairedInsole:
    device = await find_insole(address, timeout_s=scan_timeout_s, transport=transport)
    if device is None:
        raise PairingError(f"{side} insole {address} not found within {scan_timeout_s:g} s: "
                           "is it charged and near?")
    name = device.name or ""
    try:
        async with asyncio.timeout(connect_timeout_s + 10.0):
            async with BleakClient(device, timeout=connect_timeout_s,
                                   **bleak_backend(transport, scanner=False)) as client:
                said = profile.decode_side(await client.read_gatt_char(profile.SIDE_UUID))
                if said != side:
                    raise PairingError(f"{address} ({name}) is a {said} insole, given as the "
                                       f"{side} one")
                if not bond:
                    return PairedInsole(address, name, False, "bonding not asked for")
                try:
                    await client.pair()
                except NotImplementedError:
                    return PairedInsole(address, name, False,
                                        "this platform pairs on demand (macOS): no bond asked")
                return PairedInsole(address, name, True,
                                    "Just Works, LE Secure Connections, bonded")
    except PairingError:
        raise
    except InputError as error:
        raise PairingError(f"{side} insole {address}: {error}") from None
    except (TimeoutError, Exception) as error:
        raise PairingError(f"{side} insole {address}: connecting or bonding failed: "
                           f"{error or type(error).__name__}") from None


async def pair(
    wearer: str,
    left_address: str,
    right_address: str,
    *,
    transport: str | None = None,
    bond: bool = True,
    store: PairingStore | None = None,
    scan_timeout_s: float = DEFAULT_SCAN_S * 2,
    connect_timeout_s: float = CONNECT_TIMEOUT_S,
) -> Pairing:
    """Pair the insoles at ``left_address`` and ``right_address`` to ``wearer`` and persist it.

    Each insole must be advertising and say (Side characteristic) that it is the foot given.
    Pairing a wearer again replaces the old record.
    """
    w = check_wearer(wearer)
    addresses = {"left": normalise_address(left_address),
                 "right": normalise_address(right_address)}
    if addresses["left"] == addresses["right"]:
        raise PairingError("left and right are the same insole "
                           f"({addresses['left']}): give two addresses")
    done = {}
    for side in FEET:  # one after the other: connects are serialised anyway
        done[side] = await _bond_one(side, addresses[side], transport=transport, bond=bond,
                                     scan_timeout_s=scan_timeout_s,
                                     connect_timeout_s=connect_timeout_s)
    pairing = Pairing(w, done["left"], done["right"], time.time())
    (store or PairingStore()).put(pairing)
    return pairing


def choose_pair(found: list[InsoleInfo]) -> tuple[InsoleInfo, InsoleInfo]:
    """For ``--auto``: the one left and the one right insole found, else PairingError."""
    by_side = {f: [i for i in found if i.side == f] for f in FEET}
    for f in FEET:
        if len(by_side[f]) != 1:
            names = ", ".join(i.name for i in by_side[f]) or "none"
            raise PairingError(f"--auto needs exactly one {f} insole nearby, found "
                               f"{len(by_side[f])} ({names}): give the addresses")
    return by_side["left"][0], by_side["right"][0]


def unpair(wearer: str, *, store: PairingStore | None = None) -> Pairing:
    """Forget the wearer's insoles (the record removed; the session will ignore them).

    An operating-system bond stays where the OS keeps it (BlueZ: ``bluetoothctl remove
    ADDRESS``; macOS/Windows: the Bluetooth settings).
    """
    return (store or PairingStore()).remove(wearer)


__all__ = ["HOME_ENV", "SCHEMA_VERSION", "PairedInsole", "Pairing", "PairingError",
           "PairingStore", "check_wearer", "choose_pair", "data_home", "pair", "unpair"]
