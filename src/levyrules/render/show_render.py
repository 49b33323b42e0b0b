"""The renderers of `levyrules show`: the rate table's blocks as Markdown or as a
standalone Japanese HTML page (no script, no external file)."""

from __future__ import annotations

import html
from typing import Any

import attrs


@attrs.frozen
class Link:
    text: str
    url: str


@attrs.frozen
class Table:
    header: tuple
    rows: tuple            # tuples of cells (str or Link); a row whose first cell starts
    numeric_from: int = 1  # with "§" is a group heading spanning the table


@attrs.frozen
class Block:
    kind: str              # h2 | p | table | ul | note
    content: Any



def _md_cell(c: Any) -> str:
    if isinstance(c, Link):
        return f"[{c.text}]({c.url})"
    return str(c).replace("|", "\\|").replace("\n", " ")


def to_markdown(title: str, blocks: list[Block]) -> str:
    out = [f"# {title}", ""]
    for b in blocks:
        if b.kind == "h2":
            out += [f"## {b.content}", ""]
        elif b.kind in ("p", "note"):
            out += [("> **注意** " if b.kind == "note" else "") + b.content, ""]
        elif b.kind == "ul":
            out += [f"- {i}" for i in b.content] + [""]
        elif b.kind == "sources":
            out += [f"- {text}" + (f" <{link.url}>" if link else "（URLなし）")
                    for text, link in b.content] + [""]
        elif b.kind == "table":
            t = b.content
            out.append("| " + " | ".join(t.header) + " |")
            out.append("|" + "|".join("---:" if i >= t.numeric_from else "---"
                                      for i in range(len(t.header))) + "|")
            for row in t.rows:
                out.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
            out.append("")
    return "\n".join(out)


_CSS = """
body { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", Meiryo,
       sans-serif; color: #1a1a1a; margin: 2em auto; max-width: 1100px; padding: 0 1.5em;
       line-height: 1.6; font-size: 15px; }
h1 { font-size: 1.55em; border-bottom: 3px solid #2f5d8a; padding-bottom: .3em; }
h2 { font-size: 1.2em; margin-top: 1.8em; border-left: 6px solid #2f5d8a; padding-left: .5em; }
table { border-collapse: collapse; margin: .6em 0 1em; width: 100%; }
th, td { border: 1px solid #9aa7b4; padding: .35em .6em; vertical-align: top; }
th { background: #e8eef5; font-weight: bold; text-align: center; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.label { white-space: nowrap; }
td.text { overflow-wrap: anywhere; }
tr.group td { border-top: 2px solid #2f5d8a; }
.note { background: #fff4d6; border: 1px solid #e0b84c; padding: .6em .8em; }
ul.meta { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .2em 1.6em; }
ul.sources li { margin-bottom: .4em; overflow-wrap: anywhere; }
p.small { color: #555; font-size: .85em; overflow-wrap: anywhere; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } }
"""


def to_html(title: str, blocks: list[Block]) -> str:
    e = html.escape
    out = ['<!DOCTYPE html>', '<html lang="ja">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
           f"<h1>{e(title)}</h1>"]
    last_p = len(blocks) - 1
    for i, b in enumerate(blocks):
        if b.kind == "h2":
            out.append(f"<h2>{e(b.content)}</h2>")
        elif b.kind == "p":
            cls = ' class="small"' if i == last_p else ""
            out.append(f"<p{cls}>{e(b.content)}</p>")
        elif b.kind == "note":
            out.append(f'<p class="note"><strong>注意</strong> {e(b.content)}</p>')
        elif b.kind == "ul":
            out.append('<ul class="meta">' + "".join(f"<li>{e(x)}</li>" for x in b.content) + "</ul>")
        elif b.kind == "sources":
            items = []
            for text, link in b.content:
                url = (f'<br><a href="{e(link.url)}">{e(link.url)}</a>' if link else "（URLなし）")
                items.append(f"<li>{e(text)}{url}</li>")
            out.append('<ul class="sources">' + "".join(items) + "</ul>")
        elif b.kind == "table":
            t = b.content
            out.append("<table>")
            out.append("<thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in t.header) + "</tr></thead>")
            out.append("<tbody>")
            for row in t.rows:
                group = t.numeric_from == 2 and row[0]
                cells = []
                for j, c in enumerate(row):
                    cls = "num" if j >= t.numeric_from else "label" if j == 0 else "text"
                    text = f'<a href="{e(c.url)}">{e(c.text)}</a>' if isinstance(c, Link) else e(str(c))
                    cells.append(f'<td class="{cls}">{text}</td>')
                tr = '<tr class="group">' if group else "<tr>"
                out.append(tr + "".join(cells) + "</tr>")
            out.append("</tbody></table>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)
