"""The 試算 page served in-process (no browser): the form is plain HTML that posts and
answers without JavaScript; its numbers are `assess`'s; a field's message sits by it."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import levyrules
from levyrules.serve import create_app
from levyrules.serve.page import _sections
from test_serve_support import call

APP = create_app()
FORM = {"content-type": "application/x-www-form-urlencoded"}


def post(fields: dict):
    return call(APP, "POST", "/", content=urlencode(fields).encode(), headers=FORM)


def _total(html: str) -> int:
    return int(re.search(r'id="total" data-yen="(\d+)"', html).group(1))


def test_the_form_lists_the_shipped_tariffs_and_stores_nothing():
    r = call(APP, "GET", "/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    for t in ("koriyama/2025", "iwaki/2025", "machida/2026"):
        assert f'value="{t}"' in r.text
    assert 'lang="ja"' in r.text and '<label for="p1_birth">' in r.text


def test_a_submitted_household_gets_the_total_of_assess():
    r = post({"tariff": "koriyama/2025", "count": 2, "shown": 2,
              "p1_age": "52", "p1_salary": "３,２００,０００円", "p1_join": "4",
              "p2_birth": "1975-09-30", "p2_pension": "900000", "p2_other": "150000",
              "p2_join": "7"})
    assert r.status_code == 200
    data = {"id": "T", "fiscal_year": 2025, "head": "p1", "persons": [
        {"id": "p1", "birth_date": "1973-04-02", "income": {"salary_revenue": 3_200_000},
         "insured": [{"from": "2025-04-01", "until": None}]},
        {"id": "p2", "birth_date": "1975-09-30",
         "income": {"pension_revenue": 900_000, "business_income": 150_000},
         "insured": [{"from": "2025-07-01", "until": None}]}]}
    expected = levyrules.assess(levyrules.Household.from_json(data),
                                levyrules.load_tariff("koriyama/2025"))
    assert _total(r.text) == expected.total
    assert "年齢 52歳 を生年月日 1973-04-02 とみなしました" in r.text
    assert "この税率表は未検証です" not in r.text      # koriyama/2025 is verified


def test_the_fixed_asset_field_appears_only_with_an_asset_levy():
    r = call(APP, "GET", "/")
    block = re.search(r'<div class="field asset"( hidden)?>', r.text)
    asset = [t for t in levyrules.serve.tariffs.listing()["tariffs"] if t["asset_levy"]]
    from levyrules.serve.page import _choices, _default
    default_has_asset = _default(_choices()) in [t["id"] for t in asset]
    assert bool(block.group(1)) is not default_has_asset
    for t in asset:
        assert f'value="{t["id"]}" data-asset="1"' in r.text


def test_an_unverified_tariff_is_said_plainly():
    r = post({"tariff": "iwaki/2025", "count": 1, "shown": 1, "p1_age": "70",
              "p1_pension": "2000000", "p1_join": "4"})
    assert "この税率表は未検証です" in r.text and "期別税額" in r.text


def test_bad_fields_get_their_message_beside_them():
    r = post({"tariff": "koriyama/2025", "count": 3, "shown": 3,
              "p1_age": "40", "p1_salary": "1.5", "p1_join": "4",
              "p2_join": "4",
              "p3_birth": "2030-01-01", "p3_join": "4"})
    assert r.status_code == 422
    html = r.text
    assert 'id="p1_salary" name="p1_salary" aria-invalid="true" aria-describedby="p1_salary-error"' in html
    assert re.search(r'id="p1_salary-error">0以上の整数', html)
    assert re.search(r'id="p2_birth-error">生年月日か年齢', html)
    assert 'id="total"' not in html


def test_a_library_message_lands_by_its_field():
    r = post({"tariff": "koriyama/2025", "count": 1, "shown": 1,
              "p1_birth": "2030-01-01", "p1_join": "4"})
    assert r.status_code == 422
    assert re.search(r'id="p1_join-error">is before the birth date', r.text)


def test_without_javascript_the_count_grows_the_form_first():
    r = post({"tariff": "koriyama/2025", "count": 4, "shown": 2, "p1_age": "40"})
    assert r.status_code == 200 and len(re.findall(r'<fieldset class="person" data-index="\d', r.text)) == 4
    assert 'value="40"' in r.text and "4人 にしました" in r.text and 'id="total"' not in r.text


def test_an_unknown_tariff_or_garbage_form_is_refused():
    r = post({"tariff": "../../etc/2025", "count": 1, "shown": 1, "p1_age": "40"})
    assert r.status_code == 422 and 'id="tariff-error"' in r.text
    r = call(APP, "POST", "/", content=b"\xff\xfe", headers=FORM)
    assert r.status_code == 400


def test_the_result_keeps_every_heading_of_the_explain_text():
    head, sections = _sections("title\n■ A\n　x\n\n■ B\n")
    assert head == ["title"] and sections == [{"title": "A", "lines": ["x"]},
                                              {"title": "B", "lines": []}]
