"""The 更正通知書 (notice of a revision, 地方税法17条の5 for its time limit): a
`levyrules.collection.revision.Revision` as the notice shows it, in Japanese."""

from __future__ import annotations

from ..collection import AT_ONCE, KIND_JA, ORDINARY
from ..collection.limitation import years_for
from ..collection.revision import Revision
from ..tariff.model import COMPONENT_NAMES, Tariff
from .explain import wareki


def _yen(n: int) -> str:
    return f"{n:,}円"


def _signed(n: int) -> str:
    return f"+{n:,}円" if n > 0 else (f"−{-n:,}円" if n < 0 else "0円")


def render(rev: Revision, tariff: Tariff | None = None) -> str:
    """The revision as a 更正通知書 would show it, in Japanese."""
    fy = rev.fiscal_year
    a = rev.assessment
    out: list[str] = []
    add = out.append
    title = {"increase": "増額更正", "decrease": "減額更正", "none": "変更なし"}[rev.change]
    add(f"国民健康保険税 {wareki(fy)} 更正通知（{title}）")
    muni = (tariff.municipality.get("name", "") + " ") if tariff is not None else ""
    add(f"世帯番号: {rev.household}　更正の基準日: {rev.as_of.isoformat()}　税率表: {muni}{a.tariff_id}"
        f"（{'検証済み' if a.tariff_status == 'verified' else '未検証'}）")
    add(f"計算: {a.engine}")
    add("")
    add("■ 更正の理由")
    if rev.reasons:
        for r in rev.reasons:
            add(f"　{r.ja}")
    else:
        add("　税額に変更はありません" if rev.change == "none" else "　（理由を特定できません）")
    add("")
    add("■ 税額（更正前 → 更正後、差額）")
    for name, (b, n) in rev.components.items():
        add(f"　{COMPONENT_NAMES.get(name, name)}　{_yen(b)} → {_yen(n)}（{_signed(n - b)}）")
    add(f"　年税額　{_yen(rev.before_total)} → {_yen(rev.after_total)}（{_signed(rev.difference)}）")
    if rev.periods:
        add("")
        add("■ 期別税額（納期限: 更正前 → 更正後、差額）")
        for p in rev.periods:
            label = "随時" if p.kind == AT_ONCE else f"第{p.period}期"
            if p.kind not in (ORDINARY, AT_ONCE):
                label = f"{KIND_JA[p.kind]} 第{p.period}回"
            state = "　納期到来済み" if p.fallen_due and p.kind != AT_ONCE else ""
            add(f"　{label}　{p.due.isoformat()}: {_yen(p.before)} → {_yen(p.after)}"
                f"（{_signed(p.after - p.before)}）{state}")
    add("")
    add(f"■ 納期が到来した額　{_yen(rev.fallen_due)}（納付済みとして扱う額 {_yen(rev.paid)}）")
    if rev.due_at_once:
        add(f"■ 残る納期がないため直ちに納める額　{_yen(rev.due_at_once)}"
            "［各市町村の国民健康保険税条例: 納期の残らない増額分は直ちに徴収］")
    if rev.special_stopped:
        add("■ 年金からの特別徴収は中止し、残額は普通徴収で納めていただきます［地方税法706条・718条の2以下］")
    add(f"■ 還付額（過誤納金）　{_yen(rev.refund)}")
    if rev.limitation:
        lim = rev.limitation
        years = years_for(lim["kind"], lim["fraud"])
        add(f"■ 期間制限: {'増額' if lim['kind'] == 'increase' else '減額'}の更正は "
            f"{lim['ends']} まで（法定納期限 {lim['statutory_due']} の翌日から{years}年）"
            "［地方税法17条の5］")
    return "\n".join(out) + "\n"
