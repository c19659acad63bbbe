"""Dashboard without a browser: the view functions, the access token, the host refusal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from analysis.alerts import ADVICE, CONTRALATERAL_SITE
from dashboard import views
from dashboard.app import (
    TOKEN_COOKIE,
    TOKEN_ENV,
    DashboardSecurityError,
    check_bind,
    create_app,
    token_ok,
)
from solewatch.cli import main
from solewatch.report import NOT_A_DIAGNOSIS
from tests._dashboard_data import (
    BALANCE_GAP_DAYS,
    GAIT_GAP_DAYS,
    HOT_SITE,
    LAST_DAY,
    N_GAIT_DAYS,
    OTHER_WEARER,
    RESTLESS_DAY,
    WEARER,
    balance_day,
    exercise_day,
    fill,
    gait_day,
)


@pytest.fixture
def filled(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = fill(url)
    yield url, store
    store.close()


def test_alert_cards_open_first_with_advice_and_evidence(filled):
    _, store = filled
    cards = views.alert_cards(store, WEARER)
    assert [c.status for c in cards] == ["open", "acknowledged"]
    card = cards[0]
    assert card.advice == ADVICE[CONTRALATERAL_SITE]
    assert card.where.startswith("Left foot, ball of the foot, big-toe side")
    assert card.delta == "difference +2.8 °C"
    assert ("threshold", "2.2 °C") in card.facts
    assert card.can_acknowledge and card.can_resolve
    assert not cards[1].can_acknowledge and cards[1].can_resolve


def test_act_on_alert_stores_the_step_and_says_so(filled):
    _, store = filled
    open_id = store.alerts(WEARER, status="open")[0].id
    msg = views.act_on_alert(store, open_id, "acknowledge", by="me", note="resting the foot")
    assert msg == f"Saved: alert {open_id} is now marked 'Seen'."
    step = store.alert_history(open_id)[-1]
    assert (step.to_status, step.by, step.note) == ("acknowledged", "me", "resting the foot")
    again = views.act_on_alert(store, open_id, "acknowledge", by="me", note="")
    assert again.startswith("Not saved:") and "already acknowledged" in again
    assert views.act_on_alert(store, open_id, "resolve", by="me", note="gone").startswith("Saved")
    assert store.get_alert(open_id).status == "resolved"


def test_temperature_view_band_range_and_units(filled):
    _, store = filled
    fig_c, summary = views.temperature_view(store, WEARER, days=30, unit="C", today=LAST_DAY)
    band = fig_c["layout"]["shapes"][0]
    assert (band["y0"], band["y1"]) == (-2.2, 2.2)
    assert "30 days with readings" in summary and "±2.2 °C" in summary
    lines = {t["name"]: t for t in fig_c["data"]}
    hot = lines[views.site_label(HOT_SITE)]
    assert len(hot["x"]) == 30 and hot["x"][-1] == LAST_DAY.isoformat()
    assert hot["y"][-1] == pytest.approx(2.8)
    assert lines["alert"]["x"] == ["2026-03-11", "2026-03-27"]  # first days
    fig_f, summary_f = views.temperature_view(store, WEARER, days=90, unit="F", today=LAST_DAY)
    assert fig_f["layout"]["shapes"][0]["y1"] == pytest.approx(2.2 * 9 / 5)
    assert "°F" in fig_f["layout"]["yaxis"]["title"]["text"] and "±4.0 °F" in summary_f
    hot_f = {t["name"]: t for t in fig_f["data"]}[views.site_label(HOT_SITE)]
    # 90 days on the axis, the 50 before the first stored day as gaps (None), not dropped
    assert len(hot_f["x"]) == 90 and hot_f["y"][-1] == pytest.approx(2.8 * 9 / 5)
    assert hot_f["y"][:50] == [None] * 50 and None not in hot_f["y"][50:]
    colours = {t["line"]["color"] for t in fig_c["data"] if "line" in t}
    assert colours <= set(views.SITE_COLOURS.values())
    with pytest.raises(ValueError, match="days must be one of"):
        views.temperature_view(store, WEARER, days=7, unit="C", today=LAST_DAY)


def test_delta_conversion_has_no_offset():
    assert views.delta_for_display(1.0, "F") == pytest.approx(1.8)
    assert views.format_delta(-2.2, "F") == "-4.0 °F"
    with pytest.raises(ValueError, match="unit must be one of"):
        views.delta_for_display(1.0, "K")


def test_add_note_stores_and_refuses_empty(filled):
    _, store = filled
    at = datetime(2026, 3, 31, 9, 30, tzinfo=UTC)
    assert views.add_note(store, WEARER, "symptom", "  ", at=at).startswith("Nothing saved")
    assert views.add_note(store, WEARER, "mood", "x", at=at).startswith("Nothing saved")
    assert views.add_note(store, WEARER, "shoe", "new trainers", at=at).startswith("Saved")
    [note] = store.notes(WEARER)
    assert (note.kind, note.text) == ("shoe", "new trainers")
    assert views.note_lines(store, WEARER) == ["2026-03-31 09:30 · Shoes: new trainers"]


def test_other_hosts_refused_without_token():
    check_bind("127.0.0.1", None)
    check_bind("localhost", None)
    with pytest.raises(DashboardSecurityError, match=TOKEN_ENV):
        check_bind("0.0.0.0", None)
    with pytest.raises(DashboardSecurityError):
        check_bind("192.168.1.20", "")
    check_bind("0.0.0.0", "a-long-random-token")


def test_cli_refuses_public_host_without_token(monkeypatch, capsys):
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    assert main(["dashboard", "--host", "0.0.0.0", "--db", "sqlite://"]) == 2
    assert "refusing" in capsys.readouterr().err


def test_token_check(filled):
    assert token_ok(None, None) and token_ok("x", "")
    assert not token_ok(None, "secret") and not token_ok("secreT", "secret")
    assert token_ok("secret", "secret")
    url, _ = filled
    client = create_app(url, token="secret").server.test_client()
    assert client.get("/").status_code == 401
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/?token=wrong").status_code == 401
    resp = client.get("/temperature?token=secret")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/temperature")
    assert TOKEN_COOKIE in resp.headers["Set-Cookie"]
    assert "HttpOnly" in resp.headers["Set-Cookie"]
    assert client.get("/").status_code == 200  # the cookie now goes along
    other = create_app(url, token="secret").server.test_client()
    assert other.post("/login", data={"token": "nope"}).status_code == 401
    assert other.post("/login", data={"token": "secret"}).status_code == 302
    assert other.get("/_dash-layout").status_code == 200


def test_no_token_means_open_on_localhost(filled):
    url, _ = filled
    client = create_app(url, token="").server.test_client()
    assert client.get("/").status_code == 200


def test_every_page_imports_the_disclaimer():
    from dashboard.app import disclaimer

    assert disclaimer().children == NOT_A_DIAGNOSIS


def test_each_app_reads_its_own_store(tmp_path, filled):
    from dashboard.app import current_context

    url, _ = filled
    first = create_app(url, wearer=WEARER, token="")
    second = create_app(f"sqlite:///{tmp_path / 'other.db'}", token="")
    with first.server.test_request_context("/"):
        assert current_context(None).store_url == url
    with second.server.test_request_context("/"):
        assert current_context(None).store_url.endswith("other.db")


# -- wearer chooser ------------------------------------------------------------------------

def test_choose_wearer_prefers_the_tabs_choice_then_the_default_then_the_first():
    names = ["ada", "bo"]
    assert views.choose_wearer(names, "bo", "ada") == "bo"
    assert views.choose_wearer(names, "nobody", "bo") == "bo"   # unknown choice
    assert views.choose_wearer(names, None, "nobody") == "ada"  # unknown --wearer
    assert views.choose_wearer(names, 3, None) == "ada"         # not a name at all
    assert views.choose_wearer([], "ada", "ada") is None


def test_pages_read_the_chosen_wearer(filled):
    url, store = filled
    from dashboard.app import DashboardContext

    dctx = DashboardContext(store_url=url)
    assert dctx.wearer_for(store, None) == WEARER == dctx.current_wearer(store)
    assert dctx.wearer_for(store, OTHER_WEARER) == OTHER_WEARER
    assert DashboardContext(store_url=url, wearer=OTHER_WEARER).wearer_for(store, None) \
        == OTHER_WEARER
    [card] = views.alert_cards(store, OTHER_WEARER)
    assert card.title == "One whole foot warmer than the other"
    assert card.where == "Right foot" and card.delta == "difference -2.5 °C"
    assert {c.id for c in views.alert_cards(store, WEARER)}.isdisjoint({card.id})


def _find(component, wanted_id):
    if getattr(component, "id", None) == wanted_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = _find(child, wanted_id)
            if found is not None:
                return found
    return None


def test_header_lists_the_wearers_and_keeps_the_choice_per_tab(filled):
    from dashboard import ids

    url, _ = filled
    app = create_app(url, token="")
    with app.server.test_request_context("/"):
        layout = app.layout()
    choice = _find(layout, ids.WEARER_CHOICE)
    assert choice.options == [WEARER, OTHER_WEARER] and choice.value == WEARER
    kept = _find(layout, ids.WEARER)
    assert (kept.storage_type, kept.data) == ("session", WEARER)
    other = create_app(url, wearer=OTHER_WEARER, token="")
    with other.server.test_request_context("/"):
        assert _find(other.layout(), ids.WEARER).data == OTHER_WEARER


def test_every_listed_page_registers(filled):
    import dash

    from dashboard.pages import PAGES

    url, _ = filled
    create_app(url, token="")
    registered = {p["module"] for p in dash.page_registry.values()}
    assert {f"dashboard.pages.{name}" for name in PAGES} <= registered
    assert "dashboard.pages.gait" in registered


# -- gait and balance ----------------------------------------------------------------------

def _metric(key):
    return next(m for m in views.GAIT_METRICS if m.key == key)


def test_gait_view_charts_each_metric_against_its_reference(filled):
    from analysis.references import REFERENCES

    _, store = filled
    view = views.gait_view(store, WEARER, days=30)
    assert (view.start, view.end) == (LAST_DAY - timedelta(days=29), LAST_DAY)
    assert view.days_with_data == N_GAIT_DAYS - len(GAIT_GAP_DAYS)
    assert view.summary.startswith(f"{N_GAIT_DAYS - len(GAIT_GAP_DAYS)} days with walking")
    assert [c.metric.key for c in view.charts] == [m.key for m in views.GAIT_METRICS]
    for chart in view.charts:
        ref = REFERENCES[chart.metric.key]
        assert ref.source in chart.source and ref.typical in chart.source
        line = chart.figure["data"][0]
        assert len(line["x"]) == 30 and line["x"][-1] == LAST_DAY.isoformat()
        assert line["connectgaps"] is False
        # the gaps: days before the gait history and the days without walking
        stored = {LAST_DAY - timedelta(days=b): gait_day(N_GAIT_DAYS - 1 - b)[chart.metric.key]
                  for b in range(N_GAIT_DAYS) if b not in GAIT_GAP_DAYS}
        for x, y in zip(line["x"], line["y"], strict=True):
            expected = stored.get(date.fromisoformat(x))
            assert y == (pytest.approx(expected) if expected is not None else None)
        assert chart.figure["layout"]["yaxis"]["title"]["text"] == chart.metric.axis
        if ref.typical_range is None:
            assert chart.figure["layout"]["shapes"] == [] and len(chart.figure["data"]) == 1
            continue
        low, high = ref.typical_range
        band = chart.figure["layout"]["shapes"][0]
        assert (band["y0"], band["y1"]) == (low, high)
        marks = {t["name"]: t for t in chart.figure["data"][1:]}
        values = [v for v in line["y"] if v is not None]
        above = sorted(v for v in values if v > high)
        below = sorted(v for v in values if v < low)
        assert sorted(marks.get("above the typical range", {}).get("y", [])) == above
        assert sorted(marks.get("below the typical range", {}).get("y", [])) == below
        for name, symbol in (("above the typical range", "triangle-up"),
                             ("below the typical range", "triangle-down")):
            if name in marks:
                assert marks[name]["marker"]["symbol"] == symbol
                assert marks[name]["marker"]["color"] == views.GAIT_COLOURS["outside"]
        assert f"{len(above)} day" in chart.summary and f"{len(below)} day" in chart.summary


def test_gait_view_units_and_what_is_outside(filled):
    _, store = filled
    charts = {c.metric.key: c for c in views.gait_view(store, WEARER, days=30).charts}
    cadence = charts["cadence_steps_per_min"]
    assert "steps per minute" in cadence.figure["layout"]["yaxis"]["title"]["text"]
    assert cadence.figure["layout"]["annotations"][0]["text"] == \
        "typical 100 steps/min to 120 steps/min"
    assert "below the typical range (100 steps/min to 120 steps/min)" in cadence.summary
    # the fixture's cadence falls below 100 steps/min on its last days, never above 120
    names = [t["name"] for t in cadence.figure["data"]]
    assert "below the typical range" in names and "above the typical range" not in names
    cv = charts["stride_time_cv_pct"]
    assert "above the typical range" in [t["name"] for t in cv.figure["data"]]
    assert "%" in cv.figure["layout"]["yaxis"]["title"]["text"]
    assert cv.summary.endswith("below the typical range (2.0% to 3.0%).")
    assert cv.figure["data"][0]["hovertemplate"] == "%{x}: %{y:.1f}%<extra></extra>"
    assert all(c.figure["layout"]["yaxis"]["title"]["text"] for c in charts.values())
    with pytest.raises(ValueError, match="days must be one of"):
        views.gait_view(store, WEARER, days=14)


def test_gait_view_longer_range_and_wearer_without_gait(filled):
    _, store = filled
    year = views.gait_view(store, WEARER, days=365)
    assert len(year.charts[0].figure["data"][0]["x"]) == 365
    assert year.days_with_data == N_GAIT_DAYS - len(GAIT_GAP_DAYS)
    empty = views.gait_view(store, OTHER_WEARER, days=30, today=LAST_DAY)
    assert empty.days_with_data == 0
    assert all(c.summary == "No days with this measurement in this period."
               for c in empty.charts)
    assert all(set(c.figure["data"][0]["y"]) == {None} for c in empty.charts)


def test_gait_metric_figure_checks_its_input():
    with pytest.raises(ValueError, match="cadence_steps_per_min: 2 days but 1 values"):
        views.gait_metric_figure([LAST_DAY, LAST_DAY], [1.0], _metric("cadence_steps_per_min"))


def test_exercise_notes_counted_per_local_day(filled):
    _, store = filled
    late = datetime(2026, 3, 30, 23, 30, tzinfo=timezone(timedelta(hours=-5)))  # 31st in UTC
    store.add_note(WEARER, "exercise", "heel raises, 2 x 10", at=late)
    store.add_note(WEARER, "exercise", "balance, 5 min", at=datetime(2026, 3, 31, 9, tzinfo=UTC))
    store.add_note(WEARER, "symptom", "tingling", at=datetime(2026, 3, 31, 10, tzinfo=UTC))
    view = views.gait_view(store, WEARER, days=30)
    bars = view.exercise_figure["data"][0]
    counts = dict(zip(bars["x"], bars["y"], strict=True))
    assert counts["2026-03-30"] == 1 and counts["2026-03-31"] == 1
    assert sum(bars["y"]) == 2
    assert view.exercise_summary.startswith("2 exercise notes on 2 days")
    assert "count" in view.exercise_figure["layout"]["yaxis"]["title"]["text"]


def _stored_by_day(value_of, skip=()):
    """{day: value} for the fixture's gait days (minus ``skip``), counted back from LAST_DAY."""
    return {LAST_DAY - timedelta(days=b): value_of(b) for b in range(N_GAIT_DAYS)
            if b not in GAIT_GAP_DAYS and b not in skip}


def test_balance_chart_against_the_fallers_figure(filled):
    from analysis.config import GaitConfig
    from analysis.references import REFERENCES

    _, store = filled
    view = views.gait_view(store, WEARER, days=30)
    fig = view.balance_figure
    line = fig["data"][0]
    assert len(line["x"]) == 30 and line["connectgaps"] is False
    stored = _stored_by_day(lambda b: balance_day(b)["ellipse95_area_mm2"], BALANCE_GAP_DAYS)
    for x, y in zip(line["x"], line["y"], strict=True):
        want = stored.get(date.fromisoformat(x))
        assert y == (pytest.approx(want) if want is not None else None)  # gaps: no row
    assert sum(y is None for y in line["y"]) == 30 - len(stored)
    # the fallers' figure from the settings, dashed, named with its unit
    fallers = GaitConfig().fallers_sway_area_mm2
    (concern,) = fig["layout"]["shapes"]
    assert (concern["y0"], concern["y1"], concern["line"]["dash"]) == (fallers, fallers, "dash")
    assert fig["layout"]["annotations"][0]["text"] == \
        f"people who fell, on one leg: {fallers:.0f} mm²"
    assert "mm²" in fig["layout"]["yaxis"]["title"]["text"]
    assert fig["layout"]["yaxis"]["range"][1] > max(fallers, *stored.values())
    # the restless day, and only it, is an up-triangle above the line
    (over,) = fig["data"][1:]
    assert over["x"] == [(LAST_DAY - timedelta(days=RESTLESS_DAY)).isoformat()]
    assert over["marker"]["symbol"] == "triangle-up"
    assert over["marker"]["color"] == views.BALANCE_COLOURS["concern"] != line["line"]["color"]
    ref = REFERENCES["ellipse95_area_mm2"]
    assert ref.source in view.balance_source and ref.concern in view.balance_source
    assert view.balance_summary.startswith(f"{len(stored)} days with quiet standing measured")
    assert "1 day above the fallers' 1030 mm²" in view.balance_summary
    mean_area = sum(stored.values()) / len(stored)
    assert f"sway area on average {mean_area:.0f} mm²" in view.balance_summary
    assert "mm/s" in view.balance_summary
    assert "1030 mm²" in views.BALANCE_MEANING and "one leg" in views.BALANCE_MEANING


def test_exercise_repetitions_per_day_and_kind(filled):
    _, store = filled
    view = views.gait_view(store, WEARER, days=30)
    traces = view.repetitions_figure["data"]
    assert [t["name"] for t in traces] == [s["label"] for s in views.EXERCISE_STYLES.values()]
    for trace, kind in zip(traces, views.EXERCISE_STYLES, strict=True):
        stored = _stored_by_day(lambda b, k=kind: exercise_day(b)[k])
        for x, y in zip(trace["x"], trace["y"], strict=True):
            assert y == stored.get(date.fromisoformat(x))  # 0 is a count, None a gap
        assert trace["connectgaps"] is False
    # told apart by marker shape and line dash, not by colour alone
    assert len({t["marker"]["symbol"] for t in traces}) == len({t["line"]["dash"]
                                                               for t in traces}) == 2
    calf = sum(v for v in _stored_by_day(lambda b: exercise_day(b)["calf_raise"]).values())
    calf_days = sum(v > 0 for v in _stored_by_day(lambda b: exercise_day(b)["calf_raise"])
                    .values())
    examined = len(_stored_by_day(lambda b: b))
    assert view.repetitions_summary.startswith(
        f"The insoles counted {calf} calf raises on {calf_days} days")
    assert view.repetitions_summary.endswith(f"(out of {examined} days with a recording to "
                                             "look at).")
    assert "repetitions" in view.repetitions_figure["layout"]["yaxis"]["title"]["text"]


def test_balance_and_exercises_of_a_wearer_without_them(filled):
    _, store = filled
    view = views.gait_view(store, OTHER_WEARER, days=30, today=LAST_DAY)
    assert view.balance_summary == "No quiet standing measured in this period."
    assert set(view.balance_figure["data"][0]["y"]) == {None}
    assert len(view.balance_figure["data"]) == 1  # nothing above the line
    assert view.repetitions_summary == "No recordings examined for exercises in this period."
    assert all(set(t["y"]) == {None} for t in view.repetitions_figure["data"])
    with pytest.raises(ValueError, match="sway area: 2 days but 1 values"):
        views.balance_figure([LAST_DAY, LAST_DAY], [1.0])


def test_gait_page_shows_balance_and_exercise_charts(filled):
    from dashboard.pages.gait import _charts

    _, store = filled
    sections = _charts(views.gait_view(store, WEARER, days=30))

    def walk(node):
        yield node
        for child in getattr(node, "children", None) or []:
            if not isinstance(child, str):
                yield from walk(child)

    nodes = [n for sec in sections for n in walk(sec)]
    graphs = [n.id["index"] for n in nodes if type(n).__name__ == "Graph"]
    assert graphs[-3:] == ["balance", "exercise_repetitions", "exercise_notes"]
    text = " ".join(n.children for n in nodes if isinstance(getattr(n, "children", None), str))
    assert views.BALANCE_MEANING in text and views.EXERCISE_MEANING in text
    assert "not keeping it" not in text and "not kept" not in text


# -- colours -------------------------------------------------------------------------------
# Colour-vision deficiency simulated with Machado, Oliveira & Fernandes (2009), "A
# physiologically-based model for simulation of color vision deficiency", IEEE TVCG 15(6):
# 1291-1298, severity 1.0 matrices, applied to linear sRGB; differences as CIE76 delta E in
# CIELAB (D65).

MACHADO_2009: dict[str, tuple[tuple[float, ...], ...]] = {
    "protanopia": ((0.152286, 1.052583, -0.204868),
                   (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968),
                     (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
}
#: Smallest CIE76 difference allowed between two colours with different meanings on one
#: chart: well above the just-noticeable 2.3 so that thin lines and small markers stay apart.
MIN_DELTA_E = 15.0


def _linear_rgb(hex_colour):
    import numpy as np

    c = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear):
    import numpy as np

    to_xyz = np.array([[0.4124564, 0.3575761, 0.1804375],
                       [0.2126729, 0.7151522, 0.0721750],
                       [0.0193339, 0.1191920, 0.9503041]])
    xyz = to_xyz @ np.clip(linear, 0.0, 1.0) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _seen(hex_colour, vision):
    import numpy as np

    linear = _linear_rgb(hex_colour)
    if vision != "normal":
        linear = np.array(MACHADO_2009[vision]) @ linear
    return _lab(linear)


def test_colour_difference_helpers_match_known_values():
    import numpy as np

    assert _lab(_linear_rgb("#FFFFFF")) == pytest.approx([100.0, 0.0, 0.0], abs=0.01)
    assert _lab(_linear_rgb("#FF0000")) == pytest.approx([53.24, 80.09, 67.20], abs=0.05)
    # under deuteranopia pure red and a matched olive green look nearly alike: the
    # simulation must say so, or the palette test below would prove nothing
    red, green = _seen("#D00000", "deuteranopia"), _seen("#7A6A00", "deuteranopia")
    assert np.linalg.norm(red - green) < MIN_DELTA_E
    assert np.linalg.norm(_seen("#D00000", "normal") - _seen("#7A6A00", "normal")) > 40


@pytest.mark.parametrize("vision", ["normal", "protanopia", "deuteranopia"])
@pytest.mark.parametrize("chart", sorted(views.CHART_COLOURS))
def test_chart_colours_stay_apart_with_colour_blindness(chart, vision):
    import itertools

    import numpy as np

    colours = views.CHART_COLOURS[chart]
    assert len(set(colours)) == len(colours), f"{chart}: a colour used for two meanings"
    assert set(colours) <= set(views.OKABE_ITO.values())
    close = [(a, b, round(float(np.linalg.norm(_seen(a, vision) - _seen(b, vision))), 1))
             for a, b in itertools.combinations(colours, 2)
             if np.linalg.norm(_seen(a, vision) - _seen(b, vision)) < MIN_DELTA_E]
    assert close == [], f"{chart} under {vision}: too close {close}"


def test_grey_would_fail_the_deuteranopia_check():
    import numpy as np

    grey, purple = views.OKABE_ITO["grey"], views.OKABE_ITO["purple"]
    assert np.linalg.norm(_seen(grey, "deuteranopia") - _seen(purple, "deuteranopia")) \
        < MIN_DELTA_E


@pytest.mark.parametrize("vision", ["normal", "protanopia", "deuteranopia"])
def test_pressure_scale_lightness_rises_for_every_vision(vision):
    import itertools

    lightness = [_seen(c, vision)[0] for c in views.PRESSURE_COLOUR_ANCHORS]
    assert all(b > a for a, b in itertools.pairwise(lightness))
    assert views.PRESSURE_COLORSCALE == "Viridis"


def test_dashboard_sets_up_a_fresh_store_and_names_one_it_cannot_open(tmp_path):
    from dashboard.serve import ServeError, prepare_store
    from solewatch.store import Store

    url = f"sqlite:///{tmp_path / 'fresh' / 'store.db'}"
    (tmp_path / "fresh").mkdir()
    prepare_store(url)  # a fresh machine: the embedded store is created and migrated
    store = Store.open(url)
    try:
        assert store.wearers() == []
    finally:
        store.close()
    with pytest.raises(ServeError, match=r"cannot open the history store postgresql.*Check "
                       r"--db"):
        prepare_store("postgresql+psycopg://nobody@/none?host=/nonexistent-socket-dir")


def test_pages_show_nothing_stored_on_a_store_without_schema(tmp_path):
    from dashboard.app import DashboardContext

    ctx = DashboardContext(store_url=f"sqlite:///{tmp_path / 'empty.db'}")
    with ctx.store() as store:
        assert ctx.wearer_names(store) == [] and ctx.wearer_for(store, "ann") is None


def test_temperature_chart_marks_only_temperature_alerts(filled):
    from analysis.alerts import BASELINE_DIFFERENCE, PEAK_PRESSURE, Alert

    _, store = filled
    before = {t["name"]: t for t in views.temperature_view(
        store, WEARER, days=30, unit="C", today=LAST_DAY)[0]["data"]}["alert"]["x"]
    day = LAST_DAY - timedelta(days=5)
    store.upsert_alerts(WEARER, [
        Alert(rule=PEAK_PRESSURE, foot="left", site="heel", first_day=day, confirmed_day=day,
              delta_c=None, message="heel over target", evidence={"days": []}),
        Alert(rule=BASELINE_DIFFERENCE, foot="left", site="mth1", first_day=day,
              confirmed_day=day, delta_c=2.5, message="found at the start",
              evidence={"days": []})], at=datetime(2026, 3, 30, tzinfo=UTC))
    fig, _ = views.temperature_view(store, WEARER, days=30, unit="C", today=LAST_DAY)
    assert {t["name"]: t for t in fig["data"]}["alert"]["x"] == before
    assert day.isoformat() not in before
