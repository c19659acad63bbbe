"""Dashboard without a browser: the view functions, the access token, the host refusal."""

from __future__ import annotations

from datetime import UTC, datetime

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
from tests._dashboard_data import HOT_SITE, LAST_DAY, WEARER, fill


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
    assert "threshold: 2.2 °C" in card.evidence
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
    fig_c, summary = views.temperature_view(store, WEARER, days=30, unit="C")
    band = fig_c["layout"]["shapes"][0]
    assert (band["y0"], band["y1"]) == (-2.2, 2.2)
    assert "30 days with readings" in summary and "±2.2 °C" in summary
    lines = {t["name"]: t for t in fig_c["data"]}
    hot = lines[views.site_label(HOT_SITE)]
    assert len(hot["x"]) == 30 and hot["x"][-1] == LAST_DAY.isoformat()
    assert hot["y"][-1] == pytest.approx(2.8)
    assert lines["alert"]["x"] == ["2026-03-11", "2026-03-27"]  # first days
    fig_f, summary_f = views.temperature_view(store, WEARER, days=90, unit="F")
    assert fig_f["layout"]["shapes"][0]["y1"] == pytest.approx(2.2 * 9 / 5)
    assert "°F" in fig_f["layout"]["yaxis"]["title"]["text"] and "±4.0 °F" in summary_f
    hot_f = {t["name"]: t for t in fig_f["data"]}[views.site_label(HOT_SITE)]
    assert len(hot_f["x"]) == 40 and hot_f["y"][-1] == pytest.approx(2.8 * 9 / 5)
    colours = {t["line"]["color"] for t in fig_c["data"] if "line" in t}
    assert colours <= set(views.SITE_COLOURS.values())
    with pytest.raises(ValueError, match="days must be one of"):
        views.temperature_view(store, WEARER, days=7, unit="C")


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
