"""Insole and replay state worded for the Devices and Replay pages.

Plain functions over what :class:`dashboard.live.hub.LiveHub` returns (``scan()``,
``devices()``, ``pairings()``, ``replay_sources()``, ``replay_state()``), tested without a
browser (tests/test_live_present.py). They word and format, never measure: every number comes
from the hub. A value of the wrong type or out of its range raises ValueError naming the field
and the value; a missing value (None, or NaN) is shown as "not known".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from analysis.errors import SolewatchError
from analysis.sites import FEET
from dashboard.live.player import SPEEDS
from firmware_bridge.ble.session import BACKOFF, CONNECTING, FINDING, STOPPED, STREAMING

# -- signal strength -----------------------------------------------------------------------

#: RSSI at or above which the signal is called "strong", dBm.
RSSI_STRONG_MIN_DBM: Final = -67
#: RSSI at or above which (and below strong) the signal is called "fair"; below it "weak", dBm.
RSSI_FAIR_MIN_DBM: Final = -80
#: Where the two bands come from (shown in the page's help text).
RSSI_BANDS_SOURCE: Final = (
    "An engineering choice, not a standard: a Bluetooth Low Energy receiver must work down "
    "to -70 dBm (Bluetooth Core Specification, Vol 6 Part A, 4.1) and typical insole radios "
    "receive down to about -95 dBm. At -67 dBm or more there is a wide margin; between -80 "
    "and -67 dBm the link usually holds with some losses; below -80 dBm losses and reconnects "
    "become likely. The virtual insoles of the demo always report -50 dBm.")
#: The range a BLE RSSI can take (HCI: signed 8 bit, 127 = not available), dBm.
RSSI_RANGE_DBM: Final = (-127, 20)

# -- connection states (firmware_bridge.ble.session) ---------------------------------------

STATE_WORDS: Final[dict[str, str]] = {
    STREAMING: "streaming",
    FINDING: "searching",
    CONNECTING: "connecting",
    BACKOFF: "waiting to reconnect",
    STOPPED: "stopped",
    "replay": "replaying a recording",
    "none": "no insole",
}
FOOT_WORDS: Final[dict[str, str]] = {"left": "Left foot", "right": "Right foot"}
NOT_KNOWN: Final = "not known"

# -- replay ----------------------------------------------------------------------------------

KIND_WORDS: Final[dict[str, str]] = {"recording": "Recordings", "fixture": "Fixtures"}
#: Candidate distances between the seek slider's labels, s.
_MARK_STEPS_S: Final = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)


# -- numbers ---------------------------------------------------------------------------------

def _number(value: Any, field: str, *, lo: float | None = None,
            hi: float | None = None) -> float | None:
    """``value`` as a float, None when missing (None or NaN); ValueError when it is not a
    number or lies outside [lo, hi]."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{field}: expected a number, found {value!r}")
    x = float(value)
    if math.isnan(x):
        return None
    if math.isinf(x) or (lo is not None and x < lo) or (hi is not None and x > hi):
        bounds = f"[{lo if lo is not None else '-inf'}, {hi if hi is not None else 'inf'}]"
        raise ValueError(f"{field}: {value!r} is outside {bounds}")
    return x


def rssi_word(rssi_dbm: Any) -> str | None:
    """"strong", "fair" or "weak" for an RSSI in dBm (bands: :data:`RSSI_BANDS_SOURCE`);
    None when not known."""
    x = _number(rssi_dbm, "rssi_dbm", lo=RSSI_RANGE_DBM[0], hi=RSSI_RANGE_DBM[1])
    if x is None:
        return None
    if x >= RSSI_STRONG_MIN_DBM:
        return "strong"
    if x >= RSSI_FAIR_MIN_DBM:
        return "fair"
    return "weak"


def rssi_text(rssi_dbm: Any) -> str:
    """E.g. "-50 dBm (strong)"; "not known"."""
    word = rssi_word(rssi_dbm)
    if word is None:
        return NOT_KNOWN
    return f"{round(float(rssi_dbm))} dBm ({word})"


def battery_text(battery_pct: Any) -> str:
    """E.g. "85%" (the dashboard writes % without a space); "not known"."""
    x = _number(battery_pct, "battery_pct", lo=0, hi=100)
    return NOT_KNOWN if x is None else f"{round(x)}%"


def loss_text(loss_pct: Any) -> str:
    """Share of data lost on the way, e.g. "0.4%"; "not known"."""
    x = _number(loss_pct, "loss_pct", lo=0, hi=100)
    return NOT_KNOWN if x is None else f"{x:.1f}%"


def age_text(age_s: Any) -> str:
    """Time since the last data: "0.3 s ago", "75 s ago", "3 min 5 s ago"; "no data yet"."""
    x = _number(age_s, "last_packet_age_s", lo=0)
    if x is None:
        return "no data yet"
    if x < 10:
        return f"{x:.1f} s ago"
    if x < 120:
        return f"{x:.0f} s ago"
    minutes, seconds = divmod(round(x), 60)
    return f"{minutes} min {seconds} s ago"


def count_text(n: Any, field: str = "link_losses") -> str:
    """"none", "1 time", "3 times"."""
    x = _number(n, field, lo=0)
    if x is None:
        return NOT_KNOWN
    if x != int(x):
        raise ValueError(f"{field}: expected a whole number, found {n!r}")
    k = int(x)
    return "none" if k == 0 else f"{k} time" if k == 1 else f"{k} times"


def mmss(seconds: Any, field: str = "seconds") -> str:
    """A time in minutes and seconds, "mm:ss" ("01:05"); over an hour "h:mm:ss"; None ->
    "--:--". Rounded down to the second, so a position never shows past its duration."""
    x = _number(seconds, field, lo=0)
    if x is None:
        return "--:--"
    total = math.floor(x)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def state_text(state: Any) -> str:
    """The connection state in words: streaming / searching / connecting / waiting to
    reconnect / stopped."""
    if state is None:
        return NOT_KNOWN
    try:
        return STATE_WORDS[state]
    except (KeyError, TypeError):
        raise ValueError(f"state: {state!r} is not one of {sorted(STATE_WORDS)}") from None


def foot_text(side: Any) -> str:
    try:
        return FOOT_WORDS[side]
    except (KeyError, TypeError):
        raise ValueError(f"side: {side!r} is not one of {FEET}") from None


def error_text(error: BaseException) -> str:
    """An error for the page, in plain words, never a traceback. A SolewatchError's message
    already says what to do; anything else is named by its kind only."""
    if isinstance(error, SolewatchError):
        text = str(error).strip().splitlines()
        return text[0] if text else type(error).__name__
    if isinstance(error, TimeoutError):
        return ("The insoles did not answer in time. Check they are charged and near, then "
                "try again.")
    return (f"That did not work ({type(error).__name__}). Try again; if it keeps happening, "
            "restart solewatch.")


def _get(d: Mapping[str, Any], key: str, where: str) -> Any:
    if not isinstance(d, Mapping):
        raise ValueError(f"{where}: expected a mapping, found {type(d).__name__}")
    if key not in d:
        raise ValueError(f"{where}: {key!r} is missing")
    return d[key]


# -- scan results ----------------------------------------------------------------------------

@dataclass(frozen=True)
class FoundInsole:
    """One insole of a scan, worded."""

    address: str
    name: str
    side: str
    foot: str
    signal: str
    battery: str
    paired: str

    def cells(self) -> tuple[str, ...]:
        return (self.name, self.foot, self.signal, self.battery, self.paired)


FOUND_HEADERS: Final = ("Insole", "Foot", "Signal", "Battery", "Paired to")


def found_insoles(found: Sequence[Mapping[str, Any]]) -> list[FoundInsole]:
    """The insoles of ``hub.scan()``, worded, in the order given."""
    out = []
    for i, f in enumerate(found):
        where = f"insole {i + 1} of the scan"
        side = _get(f, "side", where)
        paired_to = f.get("paired_to")
        out.append(FoundInsole(
            address=str(_get(f, "address", where)), name=str(f.get("name") or "unnamed"),
            side=side, foot=foot_text(side), signal=rssi_text(f.get("rssi_dbm")),
            battery=battery_text(f.get("battery_pct")),
            paired=f"paired to {paired_to}" if paired_to else "not paired"))
    return out


def side_options(found: Sequence[Mapping[str, Any]], side: str) -> list[dict[str, str]]:
    """Dropdown options for one foot: the insoles of that side only."""
    foot_text(side)
    return [{"label": f"{f.name} ({f.address}), signal {f.signal}, battery {f.battery}, "
                      f"{f.paired}", "value": f.address}
            for f in found_insoles(found) if f.side == side]


def default_choice(found: Sequence[Mapping[str, Any]], side: str) -> str | None:
    """The insole to preselect for ``side``: the only one of that side found, else the only
    one of that side not paired to anyone; None when there is no clear choice."""
    of_side = [f for f in found if _get(f, "side", "scan") == side]
    if len(of_side) == 1:
        return of_side[0]["address"]
    free = [f for f in of_side if not f.get("paired_to")]
    return free[0]["address"] if len(free) == 1 else None


def pair_form_problem(left: str | None, right: str | None, wearer: str | None) -> str | None:
    """What is missing before Pair can work, in words; None when nothing is."""
    if not left:
        return "Choose the left insole first (press Find insoles to list them)."
    if not right:
        return "Choose the right insole first (press Find insoles to list them)."
    if not (wearer or "").strip():
        return "Write the name of the person who will wear the insoles."
    return None


def scan_summary(found: Sequence[Mapping[str, Any]]) -> str:
    n = {s: sum(1 for f in found if f.get("side") == s) for s in FEET}
    if not found:
        return ("No insoles found. Check they are charged and near (within a few metres), "
                "then try again.")
    words = [f"{n[s]} {s}" for s in FEET]
    return f"Found {len(found)} insole{'s' if len(found) != 1 else ''}: {', '.join(words)}."


# -- paired insoles --------------------------------------------------------------------------

@dataclass(frozen=True)
class FootStatus:
    """One paired insole's link, worded."""

    side: str
    foot: str
    name: str
    state: str
    battery: str
    signal: str
    loss: str
    last_data: str
    link_losses: str
    error: str

    def rows(self) -> list[tuple[str, str]]:
        return [("Connection", self.state), ("Battery", self.battery),
                ("Signal", self.signal), ("Data lost", self.loss),
                ("Last data", self.last_data), ("Link lost", self.link_losses),
                ("Last problem", self.error)]


@dataclass(frozen=True)
class DevicesView:
    headline: str
    feet: list[FootStatus]


def foot_status(side: str, foot: Mapping[str, Any]) -> FootStatus:
    where = f"devices: {side} foot"
    state = _get(foot, "state", where)
    return FootStatus(
        side=side, foot=foot_text(side),
        name=str(foot.get("name") or foot.get("address") or ""),
        state=state_text(state), battery=battery_text(foot.get("battery_pct")),
        signal=rssi_text(foot.get("rssi_dbm")), loss=loss_text(foot.get("loss_pct")),
        last_data=age_text(foot.get("last_packet_age_s")),
        link_losses=count_text(foot.get("link_losses")),
        error=str(foot.get("error") or "none"))


def devices_view(devices: Mapping[str, Any]) -> DevicesView:
    """``hub.devices()`` worded: a headline and one :class:`FootStatus` per paired foot (a
    foot without an insole, no address and no name, is left out)."""
    wearer = devices.get("wearer") if isinstance(devices, Mapping) else None
    feet_in = _get(devices, "feet", "devices") or {}
    feet = [foot_status(s, feet_in[s]) for s in FEET
            if feet_in.get(s) and (feet_in[s].get("address") or feet_in[s].get("name"))]
    if not wearer:
        headline = "No insoles are streaming. Find insoles and pair them below."
    elif devices.get("streaming"):
        headline = f"Streaming the insoles of {wearer}."
    else:
        headline = f"The insoles of {wearer} are paired but not streaming."
    return DevicesView(headline, feet)


def pairing_lines(pairings: Mapping[str, Mapping[str, str]]) -> list[tuple[str, str]]:
    """(wearer, "left AA:.., right BB:..") per pairing of ``hub.pairings()``, by name."""
    out = []
    for wearer in sorted(pairings):
        p = pairings[wearer]
        out.append((wearer, f"{wearer}: left insole {_get(p, 'left', wearer)}, right insole "
                            f"{_get(p, 'right', wearer)}"))
    return out


# -- replay ------------------------------------------------------------------------------------

def speed_text(speed: Any) -> str:
    """"0.25×", "1×", "8×" (times real time)."""
    x = _number(speed, "speed", lo=0)
    if x is None or x == 0:
        raise ValueError(f"speed: {speed!r} is not a positive number")
    return f"{x:g}×"


def replay_options(sources: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Dropdown options grouped by kind (recordings first): a disabled heading per kind, then
    its sources by name."""
    by_kind: dict[str, list[Mapping[str, Any]]] = {k: [] for k in KIND_WORDS}
    for i, s in enumerate(sources):
        kind = _get(s, "kind", f"replay source {i + 1}")
        if kind not in by_kind:
            raise ValueError(f"replay source {i + 1}: kind {kind!r} is not one of "
                             f"{sorted(KIND_WORDS)}")
        by_kind[kind].append(s)
    options: list[dict[str, Any]] = []
    for kind, group in by_kind.items():
        if not group:
            continue
        options.append({"label": f"— {KIND_WORDS[kind]} —", "value": f"__kind_{kind}",
                        "disabled": True})
        options.extend({"label": str(s.get("name") or s["id"]), "value": str(s["id"])}
                       for s in sorted(group, key=lambda s: str(s.get("name") or s["id"])))
    return options


def replay_status(state: Mapping[str, Any] | None) -> str:
    """"Playing walk_mtu23.swlog at 1×: 00:12 of 01:30 (min:s)"; "Paused ..."; or that
    nothing is replayed."""
    if not state:
        return "Nothing is being replayed. Choose a recording and press Play."
    position = _number(_get(state, "position_s", "replay state"), "position_s", lo=0)
    duration = _number(_get(state, "duration_s", "replay state"), "duration_s", lo=0)
    verb = "Paused" if state.get("paused") else "Playing"
    return (f"{verb} {state.get('name', '')} at {speed_text(state.get('speed', 1.0))}: "
            f"{mmss(position)} of {mmss(duration)} (min:s)")


def parse_position(text: Any) -> float:
    """A position typed by a person: seconds ("65", "65.5"), minutes:seconds ("1:05") or
    hours:minutes:seconds ("1:02:05"), in seconds; ValueError saying how to write it."""
    how = "write minutes:seconds (like 1:05) or seconds (like 65)"
    raw = str(text if text is not None else "").strip()
    parts = raw.split(":")
    try:
        if not raw or len(parts) > 3:
            raise ValueError
        numbers = [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"{raw!r} is not a time: {how}") from None
    if any(not math.isfinite(x) or x < 0 for x in numbers) \
            or any(x >= 60 for x in numbers[1:]) \
            or any(x != int(x) for x in numbers[:-1]):
        raise ValueError(f"{raw!r} is not a time: {how}")
    seconds = 0.0
    for x in numbers:
        seconds = seconds * 60 + x
    return seconds


def resume_wearer(devices: Mapping[str, Any] | None, pairings: Mapping[str, Any],
                  chosen: str | None = None) -> str | None:
    """Whose insoles to stream again after a replay stops: the wearer streamed before it
    (``hub.devices()`` keeps that name), else the wearer chosen in the header, else the only
    wearer paired; None when none of them has paired insoles."""
    last = devices.get("wearer") if isinstance(devices, Mapping) else None
    for wearer in (last, chosen):
        if wearer and wearer in pairings:
            return wearer
    return next(iter(pairings)) if len(pairings) == 1 else None


def play_action(state: Mapping[str, Any] | None, chosen: str | None,
                loaded: str | None) -> str:
    """What Play does: "choose" (nothing chosen), "start" (load ``chosen``: nothing is
    replayed, or another source was loaded) or "resume" (the player starts again from the
    beginning when it stands at the end)."""
    if not chosen:
        return "choose"
    if not state or chosen != loaded:
        return "start"
    return "resume"


def mark_step_s(duration_s: float, max_marks: int = 7) -> int:
    """A round distance between slider labels giving at most ``max_marks`` labels."""
    for step in _MARK_STEPS_S:
        if duration_s / step < max_marks:
            return step
    return _MARK_STEPS_S[-1] * math.ceil(duration_s / (_MARK_STEPS_S[-1] * max_marks))


def seek_marks(duration_s: Any) -> dict[int, str]:
    """Labels of the seek slider: {seconds: "mm:ss"} at round steps from 0 to the end."""
    d = _number(duration_s, "duration_s", lo=0)
    if not d:
        return {0: mmss(0)}
    step = mark_step_s(d)
    marks = {s: mmss(s) for s in range(0, int(d) + 1, step)}
    return marks



def no_live_source(what: str) -> str:
    """What a live page says when the dashboard was started without a live source."""
    return (f"This dashboard was started without a live source (--no-live), so it cannot "
            f"{what}. Start it with 'solewatch dashboard' to reach your insoles, or with "
            "'solewatch demo' to see two virtual insoles.")


__all__ = [
    "FOUND_HEADERS",
    "RSSI_BANDS_SOURCE",
    "RSSI_FAIR_MIN_DBM",
    "RSSI_STRONG_MIN_DBM",
    "SPEEDS",
    "STATE_WORDS",
    "DevicesView",
    "FootStatus",
    "FoundInsole",
    "age_text",
    "battery_text",
    "count_text",
    "default_choice",
    "devices_view",
    "error_text",
    "foot_status",
    "foot_text",
    "found_insoles",
    "loss_text",
    "mmss",
    "no_live_source",
    "pair_form_problem",
    "pairing_lines",
    "parse_position",
    "play_action",
    "replay_options",
    "replay_status",
    "resume_wearer",
    "rssi_text",
    "rssi_word",
    "scan_summary",
    "seek_marks",
    "side_options",
    "speed_text",
    "state_text",
]
