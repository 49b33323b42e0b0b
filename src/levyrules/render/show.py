"""`levyrules show TARIFF`: the tariff as the rate table a city publishes.

税率・均等割・平等割・限度額 by component (rates as the 条例 writes them: 7.20%), the
特定世帯 amounts, the 7割・5割・2割 reduced amounts (computed with the engine's own rule),
the 納期, the 条例減免, the sources and the status, as Markdown or a standalone HTML
page, so that staff can compare it line by line with the 条例.

The default is the public table: nothing of the engine (税率表 ID, sha256, file names,
rule names, the rulebook options, key paths). `internal=True` (`--internal`) adds them
for the staff who maintain the tariff.
"""

from __future__ import annotations

from datetime import date

from ..version import __version__
from . import relief_text
from ..authoring.diff import COMPONENT_LABELS, LEVY_LABELS
from .explain import wareki
from .labels import INSTALLMENT_LABELS
from ..engine.money import format_rate, parse_rate
from ..rules import preschool
from ..rules.reductions import reduced, tier_label
from .show_render import Block, Link, Table, to_html, to_markdown  # noqa: F401 (re-exported)
from .show_settings import settings_rows as _settings_rows
from ..tariff.loader import load_tariff, read_source, resolve_path
from ..tariff.model import Tariff
from .written import rate_as_written

SHORT = {"medical": "医療分", "support": "後期高齢者支援金分", "care": "介護納付金分",
         "child": "子ども・子育て支援納付金分"}
SUB = {"medical": "基礎課税額", "support": "後期高齢者支援金等課税額", "care": "40歳〜64歳",
       "child": "令和8年度から"}
TIERS = (70, 50, 20)
NONE = "—"
WEEKDAYS = "月火水木金土日"


def yen(n: int) -> str:
    return f"{n:,}円"


def _date(text: str) -> str:
    try:
        d = date.fromisoformat(text)
    except ValueError:
        return text
    return f"{d.year}年{d.month}月{d.day}日（{WEEKDAYS[d.weekday()]}）"


def _missing(t: Tariff, comp: str, key: str | None = None) -> str | None:
    for path, note in t.missing.items():
        if path in ("components", f"components.{comp}") or (key and path == f"components.{comp}.{key}"):
            return note
    return None


def _names(t: Tariff) -> list[str]:
    """The components of the year, in statutory order."""
    return [c for c in ("medical", "support", "care", "child") if c in t.national.caps]


def _written(source_data: dict, comp: str, key: str):
    """The rate as written in the tariff (7.20%), else None."""
    v = ((source_data.get("components") or {}).get(comp) or {}).get(key)
    if v is None:
        return None
    try:
        return rate_as_written(v)
    except ValueError:
        return None


def _path_ja(path: str) -> str:
    """A `missing` path in words: 'components.support.per_household' → '支援分 平等割額'."""
    parts = path.split(".")
    if parts[0] == "components":
        if len(parts) == 1:
            return "全区分"
        comp = COMPONENT_LABELS.get(parts[1], parts[1])
        return comp + (" " + LEVY_LABELS.get(parts[2], parts[2]) if len(parts) > 2 else "（全体）")
    return INSTALLMENT_LABELS.get(path, path)




def _threshold_blocks(t: Tariff, names: list[str]) -> list[Block]:
    """Section 3: the statutory 軽減判定 thresholds of the year and the statutory caps."""
    fy = t.fiscal_year
    blocks: list[Block] = []
    nat = t.national
    blocks.append(Block("h2", f"3. 軽減判定の基準額（{wareki(fy)}、法定）"))
    base = f"{yen(nat.reduction_base)} + {yen(nat.reduction_per_earner)} ×（給与所得者等の数 − 1）"
    blocks.append(Block("table", Table(("軽減", "軽減判定所得がこの額以下"), (
        ("7割", base),
        ("5割", f"{base} + {yen(nat.reduction_per_person_50)} × 被保険者等の数"),
        ("2割", f"{base} + {yen(nat.reduction_per_person_20)} × 被保険者等の数"),
    ), numeric_from=9)))
    blocks.append(Block("p", "被保険者等の数 = 被保険者 + 特定同一世帯所属者。法定の課税限度額（上限）: "
                        + "、".join(f"{SHORT[c]} {yen(nat.caps[c])}" for c in names) + "。"))
    return blocks


def model(t: Tariff, source_data: dict, internal: bool = False) -> tuple[str, list[Block]]:
    """(title, blocks) of the rate table; renderers turn it into Markdown or HTML.
    `internal` adds the engine's view (ids, hashes, files, options, key paths)."""
    fy = t.fiscal_year
    name = t.municipality.get("name", t.municipality.get("slug", ""))
    levy = "国民健康保険料 料率表" if t.kind == "premium" else "国民健康保険税 税率表"
    title = f"{name} {wareki(fy)} {levy}"
    blocks: list[Block] = []
    status = "検証済み" if t.status == "verified" else "未検証"
    meta = ([f"税率表 ID: {t.id}"] if internal else []) + [f"年度: {wareki(fy)}（{fy}年4月〜{fy + 1}年3月、所得は{fy - 1}年分）",
            f"都道府県: {t.municipality.get('prefecture', NONE)}",
            f"団体コード: {t.municipality.get('code', NONE)}",
            f"種別: {'国民健康保険料' if t.kind == 'premium' else '国民健康保険税'}",
            f"状態: {status}"]
    blocks.append(Block("ul", meta))
    if t.status != "verified":
        blocks.append(Block("note", f"未検証の税率表です: {t.status_note}"))

    names = _names(t)
    header = ("項目",) + tuple(SHORT[c] for c in names)
    blocks.append(Block("h2", "1. 税率・均等割額・平等割額・課税限度額"))
    blocks.append(Block("table", Table(header, tuple(_rate_rows(t, names, source_data)))))
    notes = ["「—」は課さないもの（税率表にない賦課）。「法定」はその値が税率表になく、法令の定め"
             "（限度額は政令の上限、特定世帯は平等割の2分の1、特定継続世帯は4分の3、1円未満切捨て）"
             "によることを示します。"]
    if "child" in names:
        notes.append("子ども・子育て支援納付金分の均等割は、18歳未満の被保険者について全額軽減"
                     "されます（地方税法703条の5）。18歳以上の被保険者は均等割額と18歳以上均等割額を"
                     "合わせて負担します。")
    for n in notes:
        blocks.append(Block("p", n))

    blocks.append(Block("h2", "2. 軽減後の均等割額・平等割額（7割・5割・2割軽減）"))
    blocks.append(Block("p", "各額は軽減後に納める額（額 ×（1 − 軽減割合）の1円未満切捨て）。"
                             "括弧内は減額する額。" + ("計算は levyrules の規則 rules.reductions.reduced "
                                                   "によります。" if internal else "")))
    blocks.append(Block("table", Table(("軽減", "項目") + header[1:],
                                       tuple(_reduction_rows(t, names)), numeric_from=2)))
    pre = _preschool_rows(t, names)
    if pre:
        blocks.append(Block("p", "未就学児の均等割（医療分・支援分）は、軽減後の額のさらに2分の1を"
                                 "減額します（地方税法703条の5第2項）。未就学児が納める額:"))
        blocks.append(Block("table", Table(("軽減",) + tuple(SHORT[c] for c in names if c in preschool.COMPONENTS),
                                           tuple(pre))))
    blocks.extend(_threshold_blocks(t, names))

    blocks.append(Block("h2", "4. 端数処理と選択" if internal else "4. 端数処理"))
    blocks.append(Block("table", Table(("項目", "設定"), tuple(_settings_rows(t, internal)),
                                       numeric_from=9)))

    blocks.extend(_later_sections(t, source_data, internal))
    return title, blocks


def _later_sections(t: Tariff, source_data: dict, internal: bool) -> list[Block]:
    """納期, 条例減免, 不明な値 and 出典."""
    blocks: list[Block] = []
    inst = source_data.get("installments")
    blocks.append(Block("h2", "5. 納期"))
    if inst:
        blocks.extend(_installment_blocks(inst))
    else:
        blocks.append(Block("p", "税率表に納期（installments）の記載はありません。"))

    blocks.append(Block("h2", "6. 条例減免"))
    relief = source_data.get("relief") or []
    if relief:
        blocks.append(Block("p", "災害などの事情がある世帯の申請により、条例の定めで税額を減免します"
                                 "（地方税法717条）。"))
        blocks.append(Block("table", Table(("減免", "根拠", "種類", "対象", "期間", "減免割合", "備考"),
                                           tuple(relief_text.rows(relief, internal)), numeric_from=9)))
    else:
        blocks.append(Block("p", "税率表に条例減免の記載はありません。"))

    if t.missing:
        blocks.append(Block("h2", "7. 不明な値" + ("（missing）" if internal else "")))
        blocks.append(Block("p", "次の値は公表資料で確認できませんでした。限度額と特定世帯の額は法令の値を、"
                                 "納期の細目は既定値を用います。それ以外の値を要する世帯は計算を"
                                 "拒否します（推測で税額を出しません）。"))
        blocks.append(Block("table", Table(("値", "理由"), tuple(
            (path if internal else _path_ja(path), note) for path, note in t.missing.items()),
            numeric_from=9)))

    blocks.append(Block("h2", f"{8 if t.missing else 7}. 出典"))
    items = []
    for p in t.provenance:
        parts: list = [p["title"]]
        if p.get("article"):
            parts.append(f"（{p['article']}）")
        if p.get("date"):
            parts.append(f" {p['date']}")
        if p.get("covers") and internal:
            parts.append(" 対象: " + ", ".join(p["covers"]))
        if p.get("note"):
            parts.append(f" — {p['note']}")
        items.append(("".join(parts), Link(p["url"], p["url"]) if p.get("url") else None))
    blocks.append(Block("sources", items))
    if internal:
        blocks.append(Block("p", f"ファイル: {', '.join(t.files)}　sha256: {t.sha256}　"
                                 f"作成: levyrules {__version__}"))
    return blocks


def _cell_rate(t: Tariff, comp: str, key: str, source_data: dict) -> str:
    note = _missing(t, comp, key)
    if note is not None:
        return "不明"
    rates = t.components.get(comp)
    r = getattr(rates, key)
    if r is None:
        return NONE
    written = _written(source_data, comp, key)
    # an override (--set) or a value the file does not hold: the engine's text
    return written if written is not None and parse_rate(written) == r else format_rate(r)


def _cell_yen(t: Tariff, comp: str, key: str) -> str:
    if _missing(t, comp, key) is not None:
        return "不明"
    v = getattr(t.components[comp], key)
    return NONE if v is None else yen(v)


def _specified(t: Tariff, comp: str, key: str) -> tuple[int | None, bool]:
    """(amount, given by the tariff) of a 特定世帯 平等割; None when there is none."""
    rates = t.components[comp]
    if rates.per_household is None or comp == "care" or \
            (comp == "child" and not t.options.specified_household_child):
        return None, False
    given = getattr(rates, key)
    if given is not None:
        return given, True
    return (rates.per_household // 2 if key == "per_household_specified"
            else rates.per_household * 3 // 4), False


def _rate_rows(t: Tariff, names: list[str], source_data: dict) -> list[tuple]:
    rows = []

    def row(label: str, fn) -> None:
        cells = []
        for c in names:
            if c not in t.components or _missing(t, c) is not None:
                cells.append("不明")
            else:
                cells.append(fn(c))
        rows.append((label,) + tuple(cells))

    row("賦課方式", lambda c: t.components[c].method)
    row("所得割率", lambda c: _cell_rate(t, c, "income_rate", source_data))
    row("資産割率", lambda c: _cell_rate(t, c, "asset_rate", source_data))
    row("均等割額（被保険者1人）", lambda c: _cell_yen(t, c, "per_capita"))
    if "child" in names:
        row("18歳以上均等割額", lambda c: _cell_yen(t, c, "per_capita_adult") if c == "child" else NONE)
    row("平等割額（1世帯）", lambda c: _cell_yen(t, c, "per_household"))
    for key, label, frac in (("per_household_specified", "特定世帯の平等割額", "½"),
                             ("per_household_specified_continuing", "特定継続世帯の平等割額", "¾")):
        def cell(c, key=key, frac=frac):
            if _missing(t, c, "per_household") is not None:
                return "不明"
            v, given = _specified(t, c, key)
            if v is None:
                return NONE
            return yen(v) if given else f"{yen(v)}（法定 {frac}）"
        row(label, cell)

    def cap(c):
        r = t.components[c]
        return yen(r.cap) + ("（法定）" if r.cap_is_statutory_default else "")
    row("課税限度額", cap)
    return rows


def _reduction_rows(t: Tariff, names: list[str]) -> list[tuple]:
    rows = []
    for tier in TIERS:
        label = tier_label(tier)

        def cell(c, amount_of, tier=tier):
            if c not in t.components or _missing(t, c) is not None:
                return "不明"
            amount = amount_of(c)
            if amount == "不明":
                return amount
            if amount is None:
                return NONE
            pay = reduced(amount, tier)
            return f"{yen(pay)}（−{yen(amount - pay)}）"

        def known(c, key):
            if _missing(t, c, key) is not None:
                return "不明"
            return getattr(t.components[c], key)

        items = [("均等割額", lambda c: known(c, "per_capita"))]
        if "child" in names:
            items.append(("18歳以上均等割額",
                          lambda c: known(c, "per_capita_adult") if c == "child" else None))
        items.append(("平等割額", lambda c: known(c, "per_household")))
        items.append(("特定世帯の平等割額",
                      lambda c: "不明" if _missing(t, c, "per_household") else
                      _specified(t, c, "per_household_specified")[0]))
        items.append(("特定継続世帯の平等割額",
                      lambda c: "不明" if _missing(t, c, "per_household") else
                      _specified(t, c, "per_household_specified_continuing")[0]))
        first = True
        for what, fn in items:
            cells = tuple(cell(c, fn) for c in names)
            if all(x == NONE for x in cells):     # e.g. no 平等割 in a 2方式 tariff
                continue
            rows.append((label if first else "", what) + cells)
            first = False
    return rows


def _preschool_rows(t: Tariff, names: list[str]) -> list[tuple]:
    comps = [c for c in names if c in preschool.COMPONENTS]
    if not any(c in t.components and t.components[c].per_capita for c in comps):
        return []
    rows = []
    share = t.national.preschool_reduction
    for tier in (0,) + TIERS:
        cells = []
        for c in comps:
            r = t.components.get(c)
            if r is None or _missing(t, c, "per_capita") is not None:
                cells.append("不明")
            elif r.per_capita is None:
                cells.append(NONE)
            else:
                after = reduced(r.per_capita, tier)
                cells.append(yen(preschool.payable(after, share)))
        rows.append((tier_label(tier),) + tuple(cells))
    return rows


def _installment_blocks(inst: dict) -> list[Block]:
    out = []
    rows = []
    for p in inst["periods"]:
        note = p.get("note", "")
        if p.get("derived"):
            note = ("例年の日程からの推定（未公表） " + note).strip()
        rows.append((f"第{p['period']}期", _date(p["due"]), note))
    out.append(Block("table", Table(("普通徴収", "納期限", "備考"), tuple(rows), numeric_from=9)))
    unit = inst.get("unit")
    rem = inst.get("remainder", "first")
    rem_text = {"first": "第1期", "last": "最終期"}.get(rem, f"第{rem}期") if isinstance(rem, str) \
        else f"第{rem}期"
    text = (f"各期の額は {yen(unit)} 未満を切捨て" if unit else
            "各期の額の切捨て単位: 税率表に指定なし（既定値）") + f"、端数は{rem_text}に加えます。"
    if inst.get("provisional_periods"):
        text += f" 第1期〜第{inst['provisional_periods']}期は仮算定（前年度の税額による）です。"
    out.append(Block("p", text))
    special = inst.get("special")
    if special:
        srows = []
        for kind, label in (("provisional", "仮徴収"), ("final", "本徴収")):
            for p in special[kind]:
                note = p.get("note", "")
                if p.get("derived"):
                    note = ("例年の日程からの推定（未公表） " + note).strip()
                srows.append((f"{label} 第{p['period']}回", _date(p["due"]), note))
        out.append(Block("table", Table(("特別徴収（年金天引き）", "支払日", "備考"), tuple(srows),
                                        numeric_from=9)))
    return out


def render(ref: str, fmt: str = "md", internal: bool = False) -> str:
    """The rate table of a tariff id or path, as Markdown (md) or a standalone HTML page;
    the public table unless `internal`."""
    t = load_tariff(ref)
    source = read_source(resolve_path(str(ref)))
    title, blocks = model(t, source.data, internal)
    return to_html(title, blocks) if fmt == "html" else to_markdown(title, blocks)
