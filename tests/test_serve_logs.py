"""Log policy of the service: a request's body, values and ids never reach the logs;
the count of households, the tariff, the status and the timing do (issue 13 §2)."""

from __future__ import annotations

import json
import logging

from levyrules.serve import create_app
from test_serve_support import call, live_server

# synthetic, personal-looking values: none may appear in any log line
SECRETS = ["YAMADA-TARO-19850412", "SUZUKI.HANAKO", "1985-04-12", "4567891", "1234567",
           "1985-02-30", "TANAKA_ICHIRO_KEY", "7654321", "1961-11-23"]


def _household(**over) -> dict:
    h = {"id": "YAMADA-TARO-19850412", "fiscal_year": 2025, "head": "SUZUKI.HANAKO",
         "persons": [{"id": "SUZUKI.HANAKO", "birth_date": "1985-04-12",
                      "insured": [{"from": "2025-04-01", "until": None}],
                      "income": {"salary_revenue": 4567891, "pension_revenue": 1234567}}]}
    h.update(over)
    return h


def _requests() -> list[tuple]:
    good = _household()
    bad_date = _household()
    bad_date["persons"][0]["birth_date"] = "1985-02-30"
    bad_key = {**_household(), "TANAKA_ICHIRO_KEY": 1}
    form = ("tariff=koriyama%2F2025&count=2&shown=2&p1_birth=1961-11-23&p1_salary=7654321"
            "&p1_join=4&p2_age=40&p2_salary=abc&p2_join=4")
    return [
        ("POST", "/v1/assess?tariff=koriyama/2025", {"json": good}),
        ("POST", "/v1/assess?tariff=koriyama/2025&explain=ja", {"json": good}),
        ("POST", "/v1/assess?tariff=koriyama/2025", {"json": bad_date}),
        ("POST", "/v1/assess?tariff=koriyama/2025", {"json": bad_key}),
        ("POST", "/v1/assess", {"content": b'{"id": "YAMADA-TARO-19850412", "id": 1}',
                                "headers": {"content-type": "application/json"}}),
        ("POST", "/v1/batch?tariff=koriyama/2025",
         {"content": (json.dumps(good) + "\n" + json.dumps(bad_date) + "\n").encode()}),
        ("POST", "/v1/revise?tariff=koriyama/2025",
         {"json": {"earlier": {"household": "YAMADA-TARO-19850412"}, "household": good,
                   "as_of": "1985-04-12"}}),
        ("GET", "/v1/tariffs/YAMADA-TARO-19850412/2025", {}),
        ("POST", "/", {"content": form.encode(),
                       "headers": {"content-type": "application/x-www-form-urlencoded"}}),
        ("POST", "/", {"content": form.replace("abc", "300000").encode(),
                       "headers": {"content-type": "application/x-www-form-urlencoded"}}),
    ]


def test_no_personal_value_reaches_the_log(caplog):
    app = create_app()
    caplog.set_level(logging.DEBUG)
    statuses = [call(app, m, url, **kw).status_code for m, url, kw in _requests()]
    assert statuses == [200, 200, 422, 422, 400, 200, 422, 404, 422, 200]
    # the server's records only: httpx, the test's client, logs its own request URLs
    text = "\n".join(r.getMessage() for r in caplog.records
                     if not r.name.startswith(("httpx", "httpcore")))
    for s in SECRETS:
        assert s not in text
    lines = [r.getMessage() for r in caplog.records if r.name == "levyrules.serve"]
    assert len(lines) == len(statuses)
    assert lines[0].startswith("POST /v1/assess status=200 households=1 tariff=koriyama/2025 ms=")
    assert "POST /v1/batch status=200 households=2 tariff=koriyama/2025" in lines[5]
    assert lines[7].startswith("GET /v1/tariffs/{slug}/{fy} status=404")
    assert lines[9].startswith("POST / status=200 households=1 tariff=koriyama/2025")


def test_an_internal_error_is_logged_by_type_only(caplog, monkeypatch):
    from levyrules.serve import api

    def broken(*a, **k):
        raise RuntimeError("YAMADA-TARO-19850412 4567891")

    monkeypatch.setattr(api, "assess", broken)
    caplog.set_level(logging.DEBUG)
    r = call(create_app(), "POST", "/v1/assess?tariff=koriyama/2025", json=_household())
    assert r.status_code == 500 and "detail" not in r.json()
    server = [r.getMessage() for r in caplog.records if r.name.startswith("levyrules")]
    assert "YAMADA" not in r.text and not any("YAMADA" in m for m in server)
    assert "internal error (RuntimeError) on POST /v1/assess" in caplog.text


def test_the_real_server_logs_nothing_personal():
    """uvicorn's own logging included: the process's whole stderr is checked."""
    import httpx
    with live_server() as (base, proc):
        for m, url, kw in _requests():
            httpx.request(m, base + url, timeout=30, **kw)
        httpx.get(base + "/v1/tariffs?YAMADA-TARO-19850412=4567891", timeout=30)
    text = proc.log_text
    assert "POST /v1/assess status=200 households=1 tariff=koriyama/2025" in text
    for s in SECRETS:
        assert s not in text
