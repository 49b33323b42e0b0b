"""Inline SVG charts for the report: grouped bars with a zero line (no dependency;
the text is HTML text, so the browser's Japanese fonts render it)."""

from __future__ import annotations

from html import escape

PALETTE = ("#1f5fa8", "#d9822b", "#3a8f4f", "#8e44ad", "#b03a2e")


def grouped_bars(title: str, categories: list[str], series: list[tuple[str, list[int]]],
                 unit: str, width: int = 680, height: int = 260) -> str:
    """Vertical bars: one group per category, one bar per series; negatives go down."""
    left, right, top, bottom = 70, 10, 30, 70
    values = [v for _, vs in series for v in vs] + [0]
    hi, lo = max(values), min(values)
    if hi == lo:
        hi = lo + 1
    plot_h = height - top - bottom
    plot_w = width - left - right

    def y(v: int) -> float:
        return top + (hi - v) * plot_h / (hi - lo)

    group_w = plot_w / max(1, len(categories))
    bar_w = group_w * 0.8 / max(1, len(series))
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" '
           f'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}">',
           f'<text x="{left}" y="18" font-size="13" font-weight="bold">{escape(title)}</text>']
    for k in range(5):
        v = lo + (hi - lo) * k // 4
        yy = y(v)
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" '
                   'stroke="#ddd"/>')
        out.append(f'<text x="{left - 4}" y="{yy + 4:.1f}" font-size="10" '
                   f'text-anchor="end">{v:,}</text>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(0):.1f}" y2="{y(0):.1f}" '
               'stroke="#333"/>')
    for gi, cat in enumerate(categories):
        gx = left + gi * group_w + group_w * 0.1
        for si, (_, vs) in enumerate(series):
            v = vs[gi]
            y0, y1 = sorted((y(0), y(v)))
            out.append(f'<rect x="{gx + si * bar_w:.1f}" y="{y0:.1f}" width="{bar_w - 1:.1f}" '
                       f'height="{max(y1 - y0, 0.5):.1f}" fill="{PALETTE[si % len(PALETTE)]}"/>')
        cx = left + gi * group_w + group_w / 2
        out.append(f'<text x="{cx:.1f}" y="{height - bottom + 14}" font-size="10" '
                   f'text-anchor="end" transform="rotate(-30 {cx:.1f} {height - bottom + 14})">'
                   f'{escape(cat)}</text>')
    lx = left
    for si, (name, _) in enumerate(series):
        out.append(f'<rect x="{lx}" y="{height - 14}" width="10" height="10" '
                   f'fill="{PALETTE[si % len(PALETTE)]}"/>')
        out.append(f'<text x="{lx + 14}" y="{height - 5}" font-size="11">{escape(name)}</text>')
        lx += 30 + 12 * len(name)
    out.append(f'<text x="{width - right}" y="18" font-size="10" text-anchor="end">'
               f'単位: {escape(unit)}</text>')
    out.append("</svg>")
    return "\n".join(out)
