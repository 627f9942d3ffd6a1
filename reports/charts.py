"""Charts drawn by matplotlib as SVG, inlined in the pages and in the WeasyPrint PDFs alike.

Text is drawn as paths (``svg.fonttype = "path"``, DejaVu Sans, which has every Vietnamese
glyph), so a chart looks the same in any browser and in the PDF whatever fonts are
installed. Each chart carries a <title> and an aria-label; the pages show the same
figures in a table next to it. Charts of a publication never change, so they are cached
per publication (`cached`).
"""
import base64
import hashlib
import io
import re
import threading
from decimal import Decimal

from django.core.cache import cache
from django.utils.translation import gettext as _
from matplotlib import rc_context
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

BLUE, GOLD, GREY, RED, INK = "#1f5fa8", "#e0a800", "#9aa5b1", "#b3261e", "#1d232b"
MAX_BARS = 40  # more agencies than this: a distribution instead of one bar each
_lock = threading.Lock()  # rc_context changes process-wide settings
_HEAD = re.compile(r"^.*?(<svg\b)", re.S)


def _short(text, limit=42):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _float(value):
    """Only for drawing: figures shown as text come from the Decimal values."""
    return float(value) if value is not None else 0.0


def _vn(value) -> str:
    """72.35 → "72,35" (the Vietnamese decimal comma on the charts)."""
    return f"{Decimal(value):.2f}".replace(".", ",") if value is not None else "–"


def _render(fig, *, title, salt) -> str:
    buffer = io.StringIO()
    FigureCanvasSVG(fig).print_svg(buffer)
    svg = _HEAD.sub(r"\1", buffer.getvalue(), count=1)
    safe = (title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{safe}" class="chart-svg" ', 1)
    return re.sub(r"(<svg\b[^>]*>)", rf"\1<title>{safe}</title>", svg, count=1)


def _figure(height):
    fig = Figure(figsize=(8.0, height), dpi=72)
    fig.patch.set_alpha(0)
    return fig


def _style(ax):
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(GREY)
    ax.spines["bottom"].set_color(GREY)
    ax.tick_params(colors=INK, labelsize=9)
    ax.grid(axis="x", color="#e6eaf0", linewidth=0.8)
    ax.set_axisbelow(True)


def _draw(draw, *, title, salt):
    with _lock, rc_context({"font.family": "DejaVu Sans", "svg.fonttype": "path", "svg.hashsalt": salt,
                            "axes.titlesize": 11, "axes.titleweight": "bold"}):
        return draw()


def index_bars(rows, *, title, axis_label, salt="bars") -> str:
    """Indices of agencies, best first: `rows` = [(name, index)] (Decimal or None).

    Above MAX_BARS agencies it draws how many agencies fall in each 5-point band.
    """
    rows = [(name, idx) for name, idx in rows if idx is not None]
    if len(rows) > MAX_BARS:
        return index_distribution([idx for _n, idx in rows], title=title, axis_label=axis_label, salt=salt)

    def draw():
        fig = _figure(max(1.6, 0.8 + 0.3 * len(rows)))
        ax = fig.add_axes([0.42, 0.12 if len(rows) > 3 else 0.25, 0.52, 0.78 if len(rows) > 3 else 0.6])
        names = [_short(n) for n, _i in rows][::-1]
        values = [_float(i) for _n, i in rows][::-1]
        bars = ax.barh(range(len(rows)), values, color=BLUE, height=0.62)
        ax.set_yticks(range(len(rows)), names)
        top = max([100.0] + values)
        ax.set_xlim(0, top * 1.12)
        for bar, (_n, idx) in zip(bars, rows[::-1], strict=True):
            ax.text(bar.get_width() + top * 0.01, bar.get_y() + bar.get_height() / 2, _vn(idx),
                    va="center", fontsize=8.5, color=INK)
        ax.set_xlabel(axis_label, fontsize=9)
        ax.set_title(title, loc="left")
        _style(ax)
        return _render(fig, title=title, salt=salt)

    return _draw(draw, title=title, salt=salt)


def index_distribution(indices, *, title, axis_label, salt="dist") -> str:
    def draw():
        fig = _figure(3.2)
        ax = fig.add_axes([0.1, 0.18, 0.86, 0.68])
        edges = list(range(0, 105, 5))
        counts = [0] * (len(edges) - 1)
        for idx in indices:
            k = min(int(Decimal(idx) // 5), len(counts) - 1)
            counts[max(k, 0)] += 1
        ax.bar([e + 2.5 for e in edges[:-1]], counts, width=4.4, color=BLUE)
        ax.set_xlim(0, 100)
        ax.set_xlabel(axis_label, fontsize=9)
        ax.set_ylabel(_("Số đơn vị"), fontsize=9)
        ax.set_title(title, loc="left")
        _style(ax)
        ax.grid(axis="y", color="#e6eaf0", linewidth=0.8)
        return _render(fig, title=title, salt=salt)

    return _draw(draw, title=title, salt=salt)


def field_bars(fields, *, title, own_label, avg_label, salt="fields") -> str:
    """Sub-indices per field for one agency: `fields` = [(label, percent, group average)]."""
    fields = list(fields)

    def draw():
        fig = _figure(max(1.8, 1.0 + 0.42 * len(fields)))
        ax = fig.add_axes([0.42, 0.14, 0.52, 0.74])
        names = [_short(label) for label, _p, _a in fields][::-1]
        own = [_float(p) for _l, p, _a in fields][::-1]
        avg = [_float(a) for _l, _p, a in fields][::-1]
        y = range(len(fields))
        bars = ax.barh([v + 0.18 for v in y], own, height=0.36, color=BLUE, label=own_label)
        ax.barh([v - 0.18 for v in y], avg, height=0.36, color=GREY, label=avg_label)
        for bar, (_l, pct, _a) in zip(bars, fields[::-1], strict=True):
            ax.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, _vn(pct), va="center", fontsize=8)
        ax.set_yticks(list(y), names)
        ax.set_xlim(0, 112)
        ax.set_xlabel("%", fontsize=9)
        ax.set_title(title, loc="left")
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        _style(ax)
        return _render(fig, title=title, salt=salt)

    return _draw(draw, title=title, salt=salt)


def year_over_year(rows, *, title, this_label, last_label, salt="yoy") -> str:
    """Two bars per row: `rows` = [(label, this year, last year)] (percent, None when missing)."""
    rows = list(rows)[:MAX_BARS]

    def draw():
        fig = _figure(max(1.8, 1.0 + 0.42 * len(rows)))
        ax = fig.add_axes([0.42, 0.14, 0.52, 0.74])
        y = range(len(rows))
        names = [_short(label) for label, _t, _l in rows][::-1]
        now = [_float(t) for _l, t, _p in rows][::-1]
        before = [_float(p) for _l, _t, p in rows][::-1]
        ax.barh([v + 0.18 for v in y], now, height=0.36, color=BLUE, label=this_label)
        ax.barh([v - 0.18 for v in y], before, height=0.36, color=GOLD, label=last_label)
        ax.set_yticks(list(y), names)
        ax.set_xlim(0, max([100.0] + now + before) * 1.1)
        ax.set_xlabel("%", fontsize=9)
        ax.set_title(title, loc="left")
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        _style(ax)
        return _render(fig, title=title, salt=salt)

    return _draw(draw, title=title, salt=salt)


def data_uri(svg: str) -> str:
    """The same SVG as an image source, for the PDFs: WeasyPrint then draws it as an image
    (no CSS cascade over every SVG element, no clash between the ids of two charts)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def cached(publication, name, build, *parts) -> str:
    """A publication's chart, drawn once: published figures never change."""
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:16]
    key = f"reports:chart:v1:{publication.pk}:{name}:{digest}"
    svg = cache.get(key)
    if svg is None:
        svg = build()
        cache.set(key, svg, None)
    return svg


def cached_by_content(name, build, *parts) -> str:
    """A chart of live (unpublished) figures, drawn once per distinct content: `parts` are
    the figures themselves, so new scores make a new key and nothing needs clearing."""
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()
    key = f"reports:chart:live:v1:{name}:{digest}"
    svg = cache.get(key)
    if svg is None:
        svg = build()
        cache.set(key, svg, 60 * 60 * 24)
    return svg
