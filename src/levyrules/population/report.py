"""The one-page summary of an assessment file (賦課統計の概要): Markdown and HTML, with two
charts (the tax by income band, the share of households per 軽減 tier) drawn by
matplotlib (the ``sim`` extra) when it is installed; without it the page says so."""

from __future__ import annotations

import base64
import html
import io
import os
from pathlib import Path

from ..rules.reductions import tier_label
from ..tariff.model import COMPONENT_NAMES
from .stats import TIERS, Stats, band_labels

TIER_JA = {tier: tier_label(tier) for tier in TIERS}
TYPE_JA = {"single_under65": "単身（65歳未満）", "single_65plus": "単身（65歳以上）",
           "adults": "複数人（18歳未満なし）", "with_children": "18歳未満の被保険者あり",
           "fictitious_head": "擬制世帯主"}
REDUCTION_JA = {"preschool": "未就学児軽減", "child_under18": "子ども分18歳未満軽減",
                "specified_household": "特定世帯・特定継続世帯", "childbirth": "産前産後免除",
                "involuntary_unemployment": "非自発的失業軽減", "former_dependent": "旧被扶養者減免"}


def _yen(v: int) -> str:
    return f"{v:,}"


def tables(st: Stats, meta: dict | None) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every table of the summary."""
    comps = st.components
    names = [COMPONENT_NAMES.get(c, c) for c in comps]
    out = []
    rows = [[label] + [_yen(st.get("levy", "", c, m)) for c in comps]
            for label, m in (("所得割額", "income_levy"), ("資産割額", "asset_levy"),
                             ("均等割額", "per_capita"), ("平等割額", "per_household"),
                             ("軽減等の後", "levy"), ("限度超過額", "over_cap"),
                             ("端数", "rounding"), ("調定額", "amount"))]
    rows.append(["限度超過世帯数"] + [_yen(st.get("over_cap", "", c, "households")) for c in comps])
    out.append(("調定額（区分別）", ["", *names], rows))
    rows = []
    for t in TIERS:     # tier 0: later parts of a year split by a 世帯主変更
        for part, ja in (("per_capita", "均等割"), ("per_household", "平等割")):
            values = [st.get("statutory_by_tier", str(t), c, part) for c in comps]
            if t or any(values):
                rows.append([TIER_JA[t], ja] + [_yen(v) for v in values])
    out.append(("法定軽減額（保険基盤安定 保険税軽減分）", ["軽減区分", "", *names], rows))
    rows = [[REDUCTION_JA.get(k, k.replace("relief_", "条例減免 "))]
            + [_yen(st.get("reductions", k, c, "amount")) for c in comps] for k in st.keys]
    rows.insert(0, ["未就学児の人数（世帯数）", f"{_yen(st.get('preschool', '', '', 'children'))}"
                    f"（{_yen(st.get('preschool', '', '', 'households'))}）"] + [""] * (len(comps) - 1))
    out.append(("その他の軽減・減免額", ["", *names], rows))
    for section, title, labels in (
            ("tier", "軽減区分別", [str(t) for t in TIERS]),
            ("income_band", "軽減判定所得の階層別", band_labels()),
            ("household_type", "世帯類型別", list(TYPE_JA))):
        rows = []
        for g in labels:
            n = st.get(section, g, "", "households")
            if not n:
                continue
            label = TIER_JA[int(g)] if section == "tier" else TYPE_JA.get(g, g)
            total = st.get(section, g, "", "total")
            rows.append([label, _yen(n), _yen(st.get(section, g, "", "persons")), _yen(total),
                         _yen(total // n)])
        out.append((f"世帯数・被保険者数（{title}）",
                    ["", "世帯数", "被保険者数", "税額合計", "1世帯あたり"], rows))
    return out


def charts(st: Stats) -> dict[str, bytes] | None:
    """PNG charts, or None when matplotlib is not installed."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    out = {}
    labels = [b for b in band_labels() if st.get("income_band", b, "", "households")]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    means = [st.get("income_band", b, "", "total") // st.get("income_band", b, "", "households")
             for b in labels]
    ax.bar(range(len(labels)), means, color="#4c72b0")
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right", fontsize=7)
    ax.set_xlabel("judgement income band (yen)")
    ax.set_ylabel("mean tax per household (yen)")
    ax.set_title("Tax by income band")
    fig.tight_layout()
    out["tax_by_income_band.png"] = _png(fig, plt)
    fig, ax = plt.subplots(figsize=(5, 3.2))
    tiers = [t for t in TIERS if st.get("tier", str(t), "", "households")]
    n = st.households or 1
    shares = [100 * st.get("tier", str(t), "", "households") / n for t in tiers]
    ax.bar([f"{t}%" if t else "none" for t in tiers], shares, color="#55a868")
    ax.set_xlabel("statutory reduction tier")
    ax.set_ylabel("share of households (%)")
    ax.set_title("Households per reduction tier")
    fig.tight_layout()
    out["households_by_tier.png"] = _png(fig, plt)
    return out


def _png(fig, plt) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _head(st: Stats, meta: dict | None) -> list[str]:
    lines = [f"世帯数 {_yen(st.households)}、被保険者数 {_yen(st.get('all', '', '', 'persons'))}、"
             f"調定額合計 {_yen(st.get('all', '', '', 'total'))} 円"]
    if meta:
        t = meta.get("tariff", {})
        c = meta.get("counts", {})
        lines.append(f"税率表 {t.get('id')}（{t.get('status')}、sha256 {str(t.get('sha256'))[:12]}…）、"
                     f"{meta.get('engine')}; 読込 {c.get('read')}・賦課 {c.get('assessed')}・"
                     f"除外 {c.get('rejected')}")
    flags = [f"暫定（所得未申告等） {st.get('all', '', '', 'provisional')} 世帯"]
    if st.get("all", "", "", "incomplete"):
        flags.append(f"税率表に無い区分があり未確定 {st.get('all', '', '', 'incomplete')} 世帯")
    lines.append("、".join(flags))
    return lines


def markdown(st: Stats, meta: dict | None, images: dict | None) -> str:
    out = ["# 国民健康保険税 賦課統計", ""]
    out += [f"- {line}" for line in _head(st, meta)] + [""]
    for title, header, rows in tables(st, meta):
        out += [f"## {title}", "", "| " + " | ".join(header) + " |",
                "|" + "---|" * len(header)]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        out.append("")
    if images is None:
        out.append("(Charts need matplotlib: pip install 'levyrules[sim]'.)")
    else:
        out += [f"![{name}]({name})" for name in images]
    return "\n".join(out) + "\n"


def page(st: Stats, meta: dict | None, images: dict | None) -> str:
    e = html.escape
    out = ['<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">',
           "<title>国民健康保険税 賦課統計</title><style>body{font-family:sans-serif;max-width:"
           "60em;margin:1em auto}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px "
           "solid #ccc;padding:2px 8px}td{text-align:right}td:first-child{text-align:left}"
           "</style></head><body><h1>国民健康保険税 賦課統計</h1><ul>"]
    out += [f"<li>{e(line)}</li>" for line in _head(st, meta)]
    out.append("</ul>")
    for title, header, rows in tables(st, meta):
        out.append(f"<h2>{e(title)}</h2><table><tr>" + "".join(f"<th>{e(h)}</th>" for h in header)
                   + "</tr>")
        out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows]
        out.append("</table>")
    if images is None:
        out.append("<p>Charts need matplotlib: pip install 'levyrules[sim]'.</p>")
    for name, png in (images or {}).items():
        out.append(f'<p><img alt="{e(name)}" src="data:image/png;base64,'
                   f'{base64.b64encode(png).decode()}"></p>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def write(st: Stats, meta: dict | None, folder: Path) -> list[Path]:
    """summary.md (+ its PNGs) and summary.html (PNGs inline) in `folder`."""
    from .sink import temp_path
    images = charts(st)
    files = {"summary.md": markdown(st, meta, images).encode(),
             "summary.html": page(st, meta, images).encode(), **(images or {})}
    written = []
    for name, data in files.items():
        path = folder / name
        tmp = temp_path(path)
        tmp.write_bytes(data)
        os.replace(tmp, path)
        written.append(path)
    return written
