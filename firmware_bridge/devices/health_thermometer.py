"""Health Thermometer (0x1809): Temperature Measurement 0x2A1C, and the IEEE-11073 numbers.

IEEE-11073-20601 FLOAT (32 bit): value = mantissa x 10^exponent, exponent the signed high byte,
mantissa a signed 24-bit two's complement. SFLOAT (16 bit): signed 4-bit exponent, signed
12-bit mantissa. Special values are whole raw words (exponent 0) and are recognised before the
mantissa is sign-extended (0x00800002 is -INF, not the number -8388606):

==========  ==============  ===========
special     FLOAT           SFLOAT
==========  ==============  ===========
NaN         0x007FFFFF      0x07FF
NRes        0x00800000      0x0800
+INF        0x007FFFFE      0x07FE
-INF        0x00800002      0x0802
reserved    0x00800001      0x0801
==========  ==============  ===========

NaN, NRes (not at this resolution) and reserved decode to NaN, the infinities to ±inf.

The standard knows one foot site (Temperature Type 8 "toe") and no side, so the pairing says
which foot and site a thermometer measures: ``HealthThermometer(foot="left", site="hallux")``.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import ClassVar, Final

import numpy as np

from analysis.errors import InputError
from analysis.sites import SITES, check_foot
from firmware_bridge.devices import DeviceProfile, Reading
from firmware_bridge.profile import (
    DATE_TIME_BYTES,
    decode_date_time,
    encode_date_time,
    normalise_uuid,
    sig_uuid,
)

SERVICE_UUID: Final = sig_uuid(0x1809)
TEMPERATURE_MEASUREMENT_UUID: Final = sig_uuid(0x2A1C)
TEMPERATURE_TYPE_UUID: Final = sig_uuid(0x2A1D)
INTERMEDIATE_TEMPERATURE_UUID: Final = sig_uuid(0x2A1E)
MEASUREMENT_INTERVAL_UUID: Final = sig_uuid(0x2A21)

#: Temperature Type 0x2A1D codes.
TEMPERATURE_TYPES: Final[dict[int, str]] = {
    1: "armpit", 2: "body", 3: "ear", 4: "finger", 5: "gastro-intestinal tract",
    6: "mouth", 7: "rectum", 8: "toe", 9: "tympanum",
}
TOE_TYPE: Final = 8

FLOAT_SPECIALS: Final[dict[int, str]] = {
    0x007FFFFF: "NaN", 0x00800000: "NRes", 0x007FFFFE: "+INF", 0x00800002: "-INF",
    0x00800001: "reserved",
}
SFLOAT_SPECIALS: Final[dict[int, str]] = {
    0x07FF: "NaN", 0x0800: "NRes", 0x07FE: "+INF", 0x0802: "-INF", 0x0801: "reserved",
}
_SPECIAL_VALUES: Final[dict[str, float]] = {
    "NaN": math.nan, "NRes": math.nan, "reserved": math.nan, "+INF": math.inf,
    "-INF": -math.inf,
}
# (bits of the mantissa, bits of the exponent, specials, largest ordinary |mantissa|)
_FORMATS: Final = {
    "FLOAT": (24, 8, FLOAT_SPECIALS, 0x7FFFFD),
    "SFLOAT": (12, 4, SFLOAT_SPECIALS, 0x7FD),
}


def _decode(raw: int, fmt: str) -> float:
    m_bits, e_bits, specials, _ = _FORMATS[fmt]
    if raw in specials:  # before any sign extension
        return _SPECIAL_VALUES[specials[raw]]
    mantissa = raw & ((1 << m_bits) - 1)
    if mantissa >= 1 << (m_bits - 1):
        mantissa -= 1 << m_bits
    exponent = raw >> m_bits
    if exponent >= 1 << (e_bits - 1):
        exponent -= 1 << e_bits
    # divide for negative exponents so 3675e-2 is exactly the double nearest 36.75
    return mantissa / 10 ** -exponent if exponent < 0 else float(mantissa * 10**exponent)


def _encode(value: float, exponent: int, fmt: str) -> int:
    m_bits, e_bits, specials, largest = _FORMATS[fmt]
    codes = {name: raw for raw, name in specials.items()}
    if math.isnan(value):
        return codes["NaN"]
    if math.isinf(value):
        return codes["+INF" if value > 0 else "-INF"]
    lo, hi = -(1 << (e_bits - 1)), (1 << (e_bits - 1)) - 1
    if not lo <= exponent <= hi:
        raise ValueError(f"{fmt} exponent must be {lo}..{hi}, found {exponent}")
    mantissa = round(value * 10**-exponent) if exponent < 0 else round(value / 10**exponent)
    if abs(mantissa) > largest:
        raise ValueError(
            f"{value} needs mantissa {mantissa} at exponent {exponent}; {fmt} carries "
            f"±{largest}: use a larger exponent"
        )
    return ((exponent & ((1 << e_bits) - 1)) << m_bits) | (mantissa & ((1 << m_bits) - 1))


def _raw(data: bytes | int, n_bytes: int, fmt: str) -> int:
    if isinstance(data, int):
        return data
    if len(data) != n_bytes:
        raise InputError(f"{fmt}: {len(data)} bytes, expected {n_bytes}", field=fmt)
    return int.from_bytes(data, "little")


def decode_float(data: bytes | int) -> float:
    """IEEE-11073 32-bit FLOAT (4 little-endian bytes, or the raw word) -> float."""
    return _decode(_raw(data, 4, "FLOAT"), "FLOAT")


def decode_sfloat(data: bytes | int) -> float:
    """IEEE-11073 16-bit SFLOAT (2 little-endian bytes, or the raw word) -> float."""
    return _decode(_raw(data, 2, "SFLOAT"), "SFLOAT")


def float_special(data: bytes | int) -> str | None:
    """Name of the special value a FLOAT holds ("NaN", "NRes", "+INF", "-INF", "reserved")."""
    return FLOAT_SPECIALS.get(_raw(data, 4, "FLOAT"))


def sfloat_special(data: bytes | int) -> str | None:
    return SFLOAT_SPECIALS.get(_raw(data, 2, "SFLOAT"))


def encode_float(value: float, *, exponent: int) -> bytes:
    """float -> 4 bytes of FLOAT with the given decimal exponent (e.g. -2 for 0.01 steps);
    NaN and ±inf become the special values."""
    return _encode(value, exponent, "FLOAT").to_bytes(4, "little")


def encode_sfloat(value: float, *, exponent: int) -> bytes:
    return _encode(value, exponent, "SFLOAT").to_bytes(2, "little")


def encode_special(name: str, *, sfloat: bool = False) -> bytes:
    """The bytes of a special value by name (to test a receiver)."""
    table = SFLOAT_SPECIALS if sfloat else FLOAT_SPECIALS
    raw = {v: k for k, v in table.items()}[name]
    return raw.to_bytes(2 if sfloat else 4, "little")


# ----------------------------------------------------------------------------- measurement

FLAG_FAHRENHEIT: Final = 0x01
FLAG_TIMESTAMP: Final = 0x02
FLAG_TYPE: Final = 0x04


def fahrenheit_to_celsius(value_f: float) -> float:
    return (value_f - 32.0) * 5.0 / 9.0


def encode_temperature_measurement(
    value: float,
    *,
    fahrenheit: bool = False,
    exponent: int = -2,
    timestamp: datetime | None = None,
    temperature_type: int | None = None,
) -> bytes:
    """Temperature Measurement 0x2A1C: flags, FLOAT (in °F when ``fahrenheit``), optional
    Date Time, optional type."""
    flags = (FLAG_FAHRENHEIT if fahrenheit else 0) | (FLAG_TIMESTAMP if timestamp else 0) | (
        FLAG_TYPE if temperature_type is not None else 0)
    out = bytes([flags]) + encode_float(value, exponent=exponent)
    if timestamp is not None:
        out += encode_date_time(timestamp)
    if temperature_type is not None:
        out += bytes([temperature_type])
    return out


def decode_temperature_measurement(data: bytes) -> dict[str, object]:
    """0x2A1C (or 0x2A1E) -> {"temperature_c", "special", "fahrenheit", "timestamp",
    "temperature_type"}. The length must match what the flags announce."""
    if len(data) < 5:
        raise InputError(f"temperature measurement of {len(data)} bytes, at least 5 needed "
                         "(flags + FLOAT)", field="length")
    flags = data[0]
    expected = 5 + (DATE_TIME_BYTES if flags & FLAG_TIMESTAMP else 0) + (
        1 if flags & FLAG_TYPE else 0)
    if len(data) != expected:
        raise InputError(
            f"temperature measurement of {len(data)} bytes, flags {flags:#04x} announce "
            f"{expected}", field="length",
        )
    raw = int.from_bytes(data[1:5], "little")
    value = decode_float(raw)
    fahrenheit = bool(flags & FLAG_FAHRENHEIT)
    pos = 5
    timestamp = None
    if flags & FLAG_TIMESTAMP:
        timestamp = decode_date_time(data[pos: pos + DATE_TIME_BYTES])
        pos += DATE_TIME_BYTES
    ttype = data[pos] if flags & FLAG_TYPE else None
    celsius = fahrenheit_to_celsius(value) if fahrenheit and math.isfinite(value) else value
    return {"temperature_c": celsius, "special": FLOAT_SPECIALS.get(raw),
            "fahrenheit": fahrenheit, "timestamp": timestamp, "temperature_type": ttype}


class HealthThermometer(DeviceProfile):
    """A standard thermometer at one foot site. The pairing says which (the standard cannot)."""

    name: ClassVar[str] = "health-thermometer"
    service_uuid: ClassVar[str | None] = SERVICE_UUID

    def __init__(self, *, foot: str, site: str) -> None:
        self.foot = check_foot(foot)
        if site not in SITES:
            raise ValueError(f"site must be one of {SITES}, found {site!r}")
        self.site = site

    @property
    def notify_uuids(self) -> tuple[str, ...]:
        return (TEMPERATURE_MEASUREMENT_UUID, INTERMEDIATE_TEMPERATURE_UUID)

    def decode(
        self, char_uuid: str, data: bytes, *, host_time_s: float, handle: int | None = None
    ) -> list[Reading]:
        uuid = normalise_uuid(char_uuid)
        if uuid not in self.notify_uuids:
            raise InputError(f"not a temperature measurement characteristic: {char_uuid}",
                             source=self.name, field="characteristic")
        m = decode_temperature_measurement(data)
        value = m["temperature_c"]
        info = {k: m[k] for k in ("special", "fahrenheit", "temperature_type")}
        info["intermediate"] = uuid == INTERMEDIATE_TEMPERATURE_UUID
        if m["temperature_type"] is not None:
            info["type_name"] = TEMPERATURE_TYPES.get(m["temperature_type"], "unknown")
        return [Reading(
            "temperature", foot=self.foot, site=self.site,
            values=np.array([[value if np.isfinite(value) else np.nan]]), unit="C",
            channels=(self.site,), host_time_s=host_time_s,
            device_datetime=m["timestamp"], info=info,
        )]


__all__ = [
    "FLOAT_SPECIALS", "SFLOAT_SPECIALS", "TEMPERATURE_TYPES", "HealthThermometer",
    "decode_float", "decode_sfloat", "decode_temperature_measurement", "encode_float",
    "encode_sfloat", "encode_special", "encode_temperature_measurement", "float_special",
    "sfloat_special",
]
