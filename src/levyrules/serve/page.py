"""The resident's 試算 page (窓口試算, functions.md item 25) at `/`.

A plain HTML form, rendered on the server: the household is built from the form,
assessed by the library and shown as the same breakdown as `assess --explain`.
Nothing is stored; the answer is marked no-store so that not even the browser keeps it.
A field that cannot be read gets its message next to it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

from starlette.responses import HTMLResponse

from ..engine.assess import assess
from ..errors import InputError, LevyError
from ..render.explain import render, wareki
from ..engine.household import Household
from .body import read_limited
from .problems import Problem
from . import tariffs

MAX_PERSONS = 10
LABELS = {"birth": "生年月日", "age": "または 年齢", "join": "国保の加入月",
          "salary": "給与収入（前年1〜12月、円）", "pension": "年金収入（前年1〜12月、円）",
          "other": "その他の所得（事業・不動産など、所得金額、円）",
          "asset": "固定資産税額（土地・家屋、今年度、円）",
          "tariff": "市町村と年度", "count": "世帯の人数（国保に加入する人と世帯主）"}
_FORM_FIELD = re.compile(r"^p(\d+)_([a-z]+)$")
JOIN_MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
AMOUNTS = {"salary": "salary_revenue", "pension": "pension_revenue", "other": "business_income"}
_FIELD_OF = {"birth_date": "birth", "income.salary_revenue": "salary",
             "income.pension_revenue": "pension", "income.business_income": "other",
             "fixed_asset_tax": "asset"}
_PERSON_PATH = re.compile(r"^persons\[(\d+)\]\.?(.*)$")
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
           "Content-Security-Policy": "default-src 'self'; form-action 'self'; "
                                      "frame-ancestors 'none'; base-uri 'none'"}

_env = None


def _template():
    global _env
    if _env is None:
        import jinja2
        _env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
            autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return _env.get_template("page.html")


def _choices() -> list[dict]:
    out = []
    for t in tariffs.listing()["tariffs"]:
        name = t["municipality"].get("name", t["id"])
        label = f"{name} {wareki(t['fiscal_year'])}"
        if t["status"] != "verified":
            label += "（未検証）"
        if t["missing"]:
            label += "（一部の税率が未公表）"
        out.append({**t, "label": label})
    return out


def _default(choices: list[dict]) -> str | None:
    for c in choices:
        if c["status"] == "verified" and c["complete"]:
            return c["id"]
    return choices[0]["id"] if choices else None


def _whole(text: str, most: int) -> int | None:
    """A whole number of at most `most` digits 0-9 (full-width ones too), else None.
    Not str.isdigit() alone: it takes ² or ፩, which int() refuses, and any length."""
    t = unicodedata.normalize("NFKC", text).strip()
    return int(t) if 0 < len(t) <= most and t.isascii() and t.isdigit() else None


def _amount(text: str) -> int | None:
    """Yen as written by a person: full-width digits, commas and 円 are fine."""
    t = unicodedata.normalize("NFKC", text).replace(",", "").replace("円", "").strip()
    return 0 if t == "" else _whole(t, 12)


def _person(fy: int, i: int, v: dict, asset: bool, errors: dict, notes: list) -> dict:
    key = f"p{i}_"
    birth_text = unicodedata.normalize("NFKC", v.get("birth", "")).strip()
    age_text = unicodedata.normalize("NFKC", v.get("age", "")).strip()
    birth = None
    if birth_text:
        try:
            birth = date.fromisoformat(birth_text).isoformat()
        except ValueError:
            errors[key + "birth"] = "生年月日を 1980-04-01 の形で入力してください"
    elif age_text:
        age = _whole(age_text, 3)
        if age is not None and age <= 120:
            birth = date(fy - age, 4, 2).isoformat()
            notes.append(f"{i}人目: 年齢 {age}歳 を生年月日 {birth} とみなしました"
                         "（年度中ずっとその年齢）")
        else:
            errors[key + "age"] = "年齢は 0〜120 の整数で入力してください"
    else:
        errors[key + "birth"] = "生年月日か年齢のどちらかを入力してください"
    income = {}
    for field, name in AMOUNTS.items():
        n = _amount(v.get(field, ""))
        if n is None:
            errors[key + field] = "0以上の整数（円）で入力してください"
        elif n:
            income[name] = n
    join = v.get("join", "4")
    if join == "none":
        insured = []
    elif _whole(join, 2) in JOIN_MONTHS:
        m = _whole(join, 2)
        insured = [{"from": date(fy if m >= 4 else fy + 1, m, 1).isoformat(), "until": None}]
    else:
        errors[key + "join"] = "加入月を選んでください"
        insured = []
    p = {"id": f"p{i}", "birth_date": birth or "1900-01-01", "insured": insured,
         "income": income}
    if asset:
        n = _amount(v.get("asset", ""))
        if n is None:
            errors[key + "asset"] = "0以上の整数（円）で入力してください"
        else:
            p["fixed_asset_tax"] = n
    return p


def _persons_in(form: dict, count: int) -> list[dict]:
    return [{f: form.get(f"p{i}_{f}", "") for f in ("birth", "age", "salary", "pension",
                                                     "other", "join", "asset")}
            for i in range(1, count + 1)]


def _field_of(e: InputError) -> str | None:
    m = _PERSON_PATH.match(e.field or "")
    if not m:
        return None
    sub = m.group(2)
    field = _FIELD_OF.get(sub) or ("join" if sub.startswith("insured") else None)
    return f"p{int(m.group(1)) + 1}_{field}" if field else None


def _sections(text: str) -> tuple[list[str], list[dict]]:
    """The --explain text cut at its ■ headings, for the page's sections."""
    head, sections = [], []
    for line in text.splitlines():
        if line.startswith("■"):
            sections.append({"title": line[1:].strip(), "lines": []})
        elif line.strip():
            (sections[-1]["lines"] if sections else head).append(line.strip("　 "))
    return head, sections


def _compute(tariff, persons: list[dict], errors: dict, notes: list):
    fy = tariff.fiscal_year
    asset = any(c.asset_rate is not None for c in tariff.components.values())
    data = {"id": "shisan", "fiscal_year": fy, "head": "p1",
            "persons": [_person(fy, i, v, asset, errors, notes)
                        for i, v in enumerate(persons, 1)]}
    if errors:
        return None
    try:
        result = assess(Household.from_json(data), tariff, partial=True)
    except InputError as e:
        where = _field_of(e)
        if where:
            errors[where] = e.message
        else:
            errors["form"] = str(e)
        return None
    except LevyError as e:
        errors["form"] = str(e)
        return None
    head, sections = _sections(render(result, tariff))
    return {"total": result.total, "complete": result.total is not None, "head": head,
            "sections": sections, "status": tariff.status, "status_note": tariff.status_note,
            "provisional": result.provisional}


def _where(name: str) -> str:
    """'2人目 給与収入' for p2_salary: how the error list names a field."""
    m = _FORM_FIELD.match(name)
    if m:
        return f"{m.group(1)}人目 {LABELS[m.group(2)].removeprefix('または ').split('（')[0]}"
    return LABELS.get(name, "")


def _page(request, *, selected, count, persons, errors=None, notes=(), result=None,
          message=None, status=200):
    choices = _choices()
    sel = next((c for c in choices if c["id"] == selected), None)
    html = _template().render(
        choices=choices, selected=selected, tariff=sel, count=count, persons=persons,
        errors=errors or {}, notes=list(notes), result=result, message=message,
        join_months=JOIN_MONTHS, max_persons=MAX_PERSONS, labels=LABELS, where=_where)
    return HTMLResponse(html, status, headers=HEADERS)


async def form(request):
    choices = _choices()
    return _page(request, selected=_default(choices), count=2,
                 persons=_persons_in({}, 2))


async def submit(request):
    raw = await read_limited(request, request.app.state.config.max_body)
    try:
        pairs = parse_qs(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=200)
    except (UnicodeDecodeError, ValueError):
        raise Problem(400, "bad-json", "the form could not be read") from None
    f = {k: v[0] for k, v in pairs.items()}
    count = min(max(_whole(f.get("count", "1"), 3) or 1, 1), MAX_PERSONS)
    shown = _whole(f.get("shown", ""), 3)
    shown = count if shown is None else shown
    persons = _persons_in(f, count)
    selected = f.get("tariff", "")
    errors: dict = {}
    if count != shown:     # without JavaScript: the form grows or shrinks first
        return _page(request, selected=selected, count=count, persons=persons,
                     message=f"世帯の人数を {count}人 にしました。各人の情報を入力してください。")
    try:
        tariff = tariffs.get(selected)
    except Problem:
        errors["tariff"] = "市町村と年度を選んでください"
        return _page(request, selected=selected, count=count, persons=persons, errors=errors,
                     status=422)
    request.scope.setdefault("levyrules.log", {}).update(households=1, tariff=tariff.id)
    notes: list = []
    result = _compute(tariff, persons, errors, notes)
    return _page(request, selected=selected, count=count, persons=persons, errors=errors,
                 notes=notes, result=result, status=422 if errors else 200)
