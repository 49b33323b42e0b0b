"""The 試算 page in a real browser: Playwright for Python driving Debian's Chromium
(/usr/bin/chromium; never a downloaded browser). Skipped with a reason when Chromium or
Playwright is missing on a developer's machine; a failure when CI is set, so CI can never
skip them silently. Screenshots go to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import levyrules
from test_serve_support import live_server

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _why_not() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Debian chromium is not installed ({CHROMIUM}): apt-get install chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: pip install -e '.[test]'"
    return None


def _require_browser() -> None:
    """Skip on a developer's machine without the browser; fail in CI."""
    why = _why_not()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {why}")
        pytest.skip(why)


def test_a_missing_browser_skips_locally_and_fails_in_ci(monkeypatch):
    me = sys.modules[__name__]
    monkeypatch.setattr(me, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        me._require_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run in CI"):
        me._require_browser()


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:       # Playwright gives each launch a fresh, empty profile
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server():
    with live_server() as (base, _):
        yield base


# a family of four in 郡山市 令和7年度 (synthetic)
FAMILY = [
    {"age": "45", "salary": "4,500,000"},
    {"birth": "1982-06-15", "salary": "1200000", "join": "4"},
    {"age": "15"},
    {"birth": "2021-09-03", "join": "10"},
]


def _expected_total() -> int:
    fy = 2025
    persons = [
        {"id": "p1", "birth_date": f"{fy - 45}-04-02", "income": {"salary_revenue": 4_500_000},
         "insured": [{"from": "2025-04-01", "until": None}]},
        {"id": "p2", "birth_date": "1982-06-15", "income": {"salary_revenue": 1_200_000},
         "insured": [{"from": "2025-04-01", "until": None}]},
        {"id": "p3", "birth_date": f"{fy - 15}-04-02", "income": {},
         "insured": [{"from": "2025-04-01", "until": None}]},
        {"id": "p4", "birth_date": "2021-09-03", "income": {},
         "insured": [{"from": "2025-10-01", "until": None}]},
    ]
    data = {"id": "T-FAMILY", "fiscal_year": fy, "head": "p1", "persons": persons}
    return levyrules.assess(levyrules.Household.from_json(data),
                            levyrules.load_tariff("koriyama/2025")).total


def _fill(page, i: int, v: dict) -> None:
    for key in ("birth", "age", "salary", "pension", "other"):
        if key in v:
            page.fill(f"#p{i}_{key}", v[key])
    if "join" in v:
        page.select_option(f"#p{i}_join", v["join"])


def _keep(page, name: str) -> None:
    """A full-page screenshot kept as a test artefact, then the page closed."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    page.close()


@pytest.mark.slow
def test_a_family_of_four_gets_the_same_total_as_assess(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    page.goto(server + "/")
    page.select_option("#tariff", "koriyama/2025")
    page.click("#add")
    page.click("#add")
    assert page.locator("fieldset.person").count() == 4
    assert page.input_value("#count") == "4"
    for i, v in enumerate(FAMILY, 1):
        _fill(page, i, v)
    page.click("button.primary")
    page.wait_for_selector("#total")
    assert int(page.get_attribute("#total", "data-yen")) == _expected_total()
    assert page.evaluate("document.activeElement.id") == "result"
    text = page.inner_text(".result")
    for heading in ("軽減判定", "7割", "未就学児", "基礎課税額（医療分）", "年税額（合計）"):
        assert heading in text
    _keep(page, "page-desktop.png")


@pytest.mark.slow
def test_phone_width_and_an_unverified_tariff_said_plainly(browser, server):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True,
                            locale="ja-JP")
    page.goto(server + "/")
    page.select_option("#tariff", "iwaki/2025")
    _fill(page, 1, {"age": "70", "pension": "2000000"})
    _fill(page, 2, {"age": "68", "pension": "800000"})
    page.click("button.primary")
    page.wait_for_selector("#total")
    assert "この税率表は未検証です" in page.inner_text(".result .warn")
    assert "期別税額" in page.inner_text(".result") and "第1期" in page.inner_text(".result")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone"
    _keep(page, "page-phone.png")


@pytest.mark.slow
def test_a_bad_input_shows_the_message_next_to_the_field(browser, server):
    page = browser.new_page(locale="ja-JP")
    page.goto(server + "/")
    page.select_option("#tariff", "koriyama/2025")
    _fill(page, 1, {"age": "40", "salary": "三百万"})
    _fill(page, 2, {"age": "200"})
    page.click("button.primary")
    err = page.locator("#p1_salary-error")
    assert err.is_visible() and "0以上の整数" in err.inner_text()
    # next to the field: in the same field box, and tied to the input for screen readers
    assert page.locator(".field:has(#p1_salary) #p1_salary-error").count() == 1
    assert page.get_attribute("#p1_salary", "aria-invalid") == "true"
    assert page.get_attribute("#p1_salary", "aria-describedby") == "p1_salary-error"
    assert "0〜120" in page.inner_text("#p2_age-error")
    assert page.evaluate("document.activeElement.id") == "p1_salary"
    assert page.locator("#total").count() == 0
    assert "1人目 給与収入: 0以上の整数" in page.inner_text("#errors")
    _keep(page, "page-error.png")


@pytest.mark.slow
def test_keyboard_only_and_every_control_labelled(browser, server):
    page = browser.new_page()
    page.goto(server + "/")
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('main input:not([type=hidden]), main select')]
        .filter(e => !document.querySelector(`label[for="${e.id}"]`)).map(e => e.id)""")
    assert unlabelled == []
    page.focus("#tariff")
    page.keyboard.press("Tab")                     # 世帯の人数
    page.keyboard.press("Tab")                     # 1人目 生年月日
    assert page.evaluate("document.activeElement.id") == "p1_birth"
    page.focus("#p1_age")
    page.keyboard.type("50")
    page.focus("#p2_age")
    page.keyboard.type("48")
    page.keyboard.press("Enter")                   # Enter submits: 計算する, never add/remove
    page.wait_for_selector("#total")
    assert page.locator("fieldset.person").count() == 2
    page.close()


@pytest.mark.slow
def test_the_form_works_without_javascript(browser, server):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(server + "/")
    assert page.locator("#add").is_hidden()
    page.select_option("#tariff", "koriyama/2025")
    page.select_option("#count", "4")
    page.click("button.primary")                   # the server grows the form
    assert page.locator("fieldset.person").count() == 4
    for i, v in enumerate(FAMILY, 1):
        _fill(page, i, v)
    page.click("button.primary")
    assert int(page.get_attribute("#total", "data-yen")) == _expected_total()
    ctx.close()
