"""The 運営協議会 report as one self-contained HTML page (Japanese, printable on A4)."""

from __future__ import annotations

from html import escape
from typing import Sequence

from ..authoring.diff import COMPONENT_LABELS
from .charts import grouped_bars
from .compare import Scenario, Table
from .labels import BASIS_LABELS, CHANGE_BUCKETS

CSS = """
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "Hiragino Sans",
       "Yu Gothic", sans-serif; font-size: 10pt; color: #111; max-width: 186mm;
       margin: 0 auto; line-height: 1.5; }
h1 { font-size: 16pt; border-bottom: 2px solid #1f5fa8; padding-bottom: 4px; }
h2 { font-size: 12.5pt; margin-top: 18px; border-left: 5px solid #1f5fa8; padding-left: 6px;
     break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 8.5pt;
        break-inside: auto; }
tr { break-inside: avoid; }
th, td { border: 1px solid #999; padding: 2px 4px; }
th { background: #e8eef6; font-weight: bold; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.s { white-space: nowrap; }
td.up { color: #a52a2a; } td.down { color: #1f5fa8; }
.meta td { border: none; padding: 1px 8px 1px 0; }
.note { font-size: 8.5pt; color: #333; }
svg.chart { max-width: 100%; height: auto; break-inside: avoid; margin: 4px 0; }
svg.chart text { font-family: inherit; }
section { break-inside: auto; }
"""


def _cell(v, header: str) -> str:
    if isinstance(v, int) and not isinstance(v, bool):
        cls = "n"
        if "増減" in header or "差" in header:
            cls += " up" if v > 0 else (" down" if v < 0 else "")
            return f'<td class="{cls}">{"+" if v > 0 else ""}{v:,}</td>'
        return f'<td class="{cls}">{v:,}</td>'
    text = str(v)
    if text.endswith("%") and text[:1] in "+−0123456789":
        return f'<td class="n">{escape(text)}</td>'
    if len(text) <= 8:                     # a short label: keep it on one line
        return f'<td class="s">{escape(text)}</td>'
    return f"<td>{escape(text)}</td>"


def table_html(t: Table, columns: Sequence[int] | None = None) -> str:
    cols = list(columns) if columns is not None else list(range(len(t.header)))
    head = "".join(f"<th>{escape(str(t.header[i]))}</th>" for i in cols)
    body = "".join("<tr>" + "".join(_cell(r[i], str(t.header[i])) for i in cols) + "</tr>"
                   for r in t.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _by(t: Table, name: str) -> list:
    return [r for r in t.rows if r[0] == name]


def render(scs: Sequence[Scenario], tabs: list[Table], population: str, title: str) -> str:
    T = {t.name: t for t in tabs}
    ref = scs[0]
    plans = [s for s in scs if s.solution is not None]
    parts = [f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">'
             f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{escape(title)}</h1>", _meta(scs, population)]
    parts.append("<h2>概要</h2>" + table_html(T["summary"]))
    parts.append("<h2>1. 税率案</h2>" + table_html(T["rates"]))
    parts.append("<h2>2. 賦課総額・調定額と目標</h2><p class=note>目標額は各案の計画書の値。"
                 "賦課額（軽減前）＝調定額＋軽減額（7割・5割・2割軽減、未就学児・18歳未満の"
                 "均等割軽減。保険基盤安定で補填）。限度超過額は課税限度額を超えて賦課しない額。"
                 "</p>")
    tot = T["totals"]
    h = list(tot.header)
    parts.append(table_html(tot, [h.index(k) for k in (
        "案", "区分", "目標額", "賦課額（軽減前）", "軽減額（保険基盤安定）", "調定額",
        "目標との差", "限度超過額", "限度超過世帯数")]))
    parts.append("<p class=note>所得割・資産割・均等割・平等割の内訳（月割後・軽減前）と軽減の内訳:"
                 "</p>" + table_html(tot, [h.index(k) for k in (
                     "案", "区分", "所得割額", "資産割額", "均等割額", "平等割額",
                     "7・5・2割軽減額", "未就学児軽減額", "特定世帯軽減額")]))
    parts.append("<h2>3. モデル世帯の年税額</h2>" + table_html(T["model_households"]))
    parts.append(f"<h2>4. 負担の変化（{escape(ref.name)}との比較）</h2>")
    others = [s for s in scs if s is not ref]
    if others:
        b = T["change_distribution"]
        parts.append(grouped_bars("年税額の増減別の世帯数", [lbl for _, _, lbl in CHANGE_BUCKETS],
                                  [(s.name, [r[2] for r in _by(b, s.name)]) for s in others],
                                  "世帯"))
        d = T["deciles"]
        parts.append(grouped_bars("所得十分位別 1世帯あたり平均増減",
                                  [r[1] for r in _by(d, others[0].name)],
                                  [(s.name, [r[7] for r in _by(d, s.name)]) for s in others],
                                  "円"))
        parts.append(_pivot(b, [s.name for s in others]) + table_html(d))
    parts.append("<h2>5. 世帯類型・所得階層・軽減区分別</h2>" + table_html(T["groups"]))
    if plans:
        parts.append("<h2>6. ループ計算の経過（プログラムC）</h2>" + _convergence(plans)
                     + table_html(T["iterations"]))
    parts.append(_notes())
    parts.append("</body></html>")
    return "\n".join(parts)


def _pivot(t: Table, names: list[str]) -> str:
    """The change distribution with one column per plan (the CSV keeps one row each)."""
    rows = [[label] + [next(r[2] for r in t.rows if r[0] == n and r[1] == label)
                       for n in names] for _, _, label in CHANGE_BUCKETS]
    return table_html(Table(t.name, t.title, (t.header[1], *(f"{n} 世帯数" for n in names)),
                            rows))


def _meta(scs, population: str) -> str:
    ref = scs[0]
    m = ref.tariff.municipality
    rows = [("団体", f"{m.get('prefecture', '')} {m.get('name', '')}"),
            ("年度", f"{ref.tariff.fiscal_year}年度（令和{ref.tariff.fiscal_year - 2018}年度）"),
            ("対象世帯", f"{ref.recheck.households:,}世帯（{population}）"),
            ("比較の基準", ref.name)]
    for s in scs:
        if s.solution is not None:
            p = s.solution.plan
            rows.append((s.name, f"{p.description or ''} 目標の基準: {BASIS_LABELS[p.basis]}、"
                                 f"許容差 {p.tolerance:,}円"))
    body = "".join(f"<tr><td><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>" for k, v in rows)
    return f"<table class=meta>{body}</table>"


def _convergence(plans) -> str:
    items = []
    for s in plans:
        sol = s.solution
        comps = "、".join(f"{COMPONENT_LABELS[n]} {'目標の許容差内' if ok else '許容差外（端数単位で最も近い案）'}"
                         for n, ok in sol.converged.items())
        solved = any(c.target is not None for c in sol.plan.components.values())
        extra = "（このほか算定基礎の測定に1回）" if solved else ""
        items.append(f"<li>{escape(s.name)}: 全世帯の再計算（プログラムB）{sol.passes}回"
                     f"{extra}。{escape(comps)}</li>")
    return "<ul class=note>" + "".join(items) + "</ul>"


def _notes() -> str:
    return ("<h2>算定の前提</h2><ul class=note>"
            "<li>すべての金額は対象世帯ごとに levyrules の賦課計算（月割・軽減判定・"
            "7割・5割・2割軽減・未就学児軽減・特定世帯・課税限度額・端数処理）を行った結果の合計。</li>"
            "<li>所得割率・資産割率は計画書の刻み、均等割額・平等割額は計画書の単位に四捨五入"
            "（賦課総額を要素別の割合で按分し、被保険者数・世帯数・算定基礎で除した値）。</li>"
            "<li>所得十分位は軽減判定所得（総所得金額等）の順に世帯数を10等分したもの。</li>"
            "<li>各案の税率表（YAML）は同じフォルダの tariffs/ にあり、levyrules check で検査できる。</li>"
            "</ul>")
