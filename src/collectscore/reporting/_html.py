"""Small HTML builders: escaped text, tables from frames, figures as data URIs, the page."""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Callable, Mapping

import pandas as pd

Format = Callable[[object], str]

CSS = """
body{font-family:Helvetica,Arial,sans-serif;color:#1d1d1f;max-width:1100px;margin:24px auto;
padding:0 20px;line-height:1.45;font-size:15px}
h1{font-size:26px;border-bottom:3px solid #2b5797;padding-bottom:6px}
h2{font-size:20px;color:#2b5797;margin-top:34px;border-bottom:1px solid #ccd}
h3{font-size:16px;margin-top:22px}
table{border-collapse:collapse;margin:10px 0 16px;font-size:13px}
th,td{border:1px solid #ccd;padding:4px 8px;text-align:right;vertical-align:top}
th{background:#eef1f7}
td.t,th.t{text-align:left}
.note{color:#555;font-size:13px}
.na{background:#fff6e0;border-left:4px solid #e0a000;padding:6px 10px}
.flag{color:#a40000;font-weight:bold}
figure{margin:12px 0}
figure img{max-width:100%;border:1px solid #dde}
figcaption{font-size:13px;color:#555}
dl{display:grid;grid-template-columns:230px 1fr;gap:4px 14px}
dt{font-weight:bold}
nav ul{columns:2;list-style:none;padding-left:0}
"""


def esc(value: object) -> str:
    """``value`` as escaped HTML text."""
    return html.escape(str(value), quote=True)


def p(text: str, cls: str | None = None) -> str:
    return f'<p class="{cls}">{esc(text)}</p>' if cls else f"<p>{esc(text)}</p>"


def na(text: str) -> str:
    """A "not available" box."""
    return f'<p class="na">{esc(text)}</p>'


def ul(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def dl(pairs: Mapping[str, str]) -> str:
    return (
        "<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in pairs.items()) + "</dl>"
    )


def figure(png: bytes, caption: str) -> str:
    """An ``<img>`` whose source is the PNG itself (a base64 data URI: no file, no network)."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img alt="{esc(caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def number(digits: int = 3) -> Format:
    def fmt(v: object) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "-"
        if isinstance(v, int | float):
            return f"{v:,.{digits}f}"
        return str(v)

    return fmt


def percent(digits: int = 1) -> Format:
    def fmt(v: object) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "-"
        return f"{float(v):.{digits}%}" if isinstance(v, int | float) else str(v)

    return fmt


def count(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return f"{int(v):,}" if isinstance(v, int | float) else str(v)


def table(
    frame: pd.DataFrame,
    formats: Mapping[str, Format] | None = None,
    *,
    index: bool = False,
    flag: str | None = None,
) -> str:
    """``frame`` as an HTML table; text columns left-aligned, numbers by ``formats``
    (default 3 decimals); cells of column ``flag`` that are not empty are highlighted."""
    formats = dict(formats or {})
    shown = frame.reset_index() if index else frame
    head = "".join(
        f'<th class="t">{esc(c)}</th>' if not _numeric(shown[c]) else f"<th>{esc(c)}</th>"
        for c in shown.columns
    )
    rows = []
    for record in shown.itertuples(index=False, name=None):
        cells = []
        for column, value in zip(shown.columns, record, strict=True):
            numeric = _numeric(shown[column])
            fmt = formats.get(str(column)) or (number() if numeric else str)
            text = esc(fmt(value) if not (isinstance(value, float) and math.isnan(value)) else "-")
            cls = "t" if not numeric else ""
            if flag is not None and column == flag and str(value):
                cls += " flag"
            attribute = f' class="{cls.strip()}"' if cls.strip() else ""
            cells.append(f"<td{attribute}>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def page(title: str, subtitle: str, sections: list[tuple[str, str, str]]) -> str:
    """The whole document: a contents list, then each section (anchor, title, body)."""
    contents = "".join(f'<li><a href="#{a}">{esc(t)}</a></li>' for a, t, _ in sections)
    body = "".join(f'<section id="{a}"><h2>{esc(t)}</h2>{b}</section>' for a, t, b in sections)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{esc(title)}</h1>{p(subtitle, 'note')}<nav><ul>{contents}</ul></nav>{body}"
        "</body></html>"
    )
