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
GREEN, PURPLE = "#1e7a3c", "#6a3d9a"
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


WIDE, NARROW = 8.0, 4.0  # inches at 72 dpi: 576 px for a desktop, 288 px for a 360 px phone
TITLE_IN, AXIS_IN, LEGEND_IN = 0.45, 0.5, 0.32  # room above the bars, under them, for the legend


def _figure(height, width=WIDE):
    fig = Figure(figsize=(width, height), dpi=72)
    fig.patch.set_alpha(0)
    return fig


def _style(ax, labelsize=9):
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(GREY)
    ax.spines["bottom"].set_color(GREY)
    ax.tick_params(colors=INK, labelsize=labelsize)
    ax.grid(axis="x", color="#e6eaf0", linewidth=0.8)
    ax.set_axisbelow(True)


def _draw(draw, *, title, salt):
    with _lock, rc_context({"font.family": "DejaVu Sans", "svg.fonttype": "path", "svg.hashsalt": salt,
                            "axes.titlesize": 11, "axes.titleweight": "bold"}):
        return draw()


def hbars_figure(labels, series, *, title, axis_label, compact=False, limit=None):
    """Horizontal bars, first label on top: `series` = [(values, colour, legend label or None)],
    values Decimal or None; the first series carries its figures at the bar ends.

    Wide: labels on the left of the axis. Compact (a phone's width): each label above its
    bars, so names keep a readable size when the chart is drawn 331 px wide. The legend sits
    under the axis, never over a bar."""
    n, k = len(labels), len(series)
    legend = any(name for _v, _c, name in series)
    row = (0.34 if k == 1 else 0.46) + (0.3 if compact else 0)
    bottom = AXIS_IN + (0.14 if compact else 0) + (LEGEND_IN if legend else 0)
    height = TITLE_IN + max(n, 1) * row + bottom
    width = NARROW if compact else WIDE
    fig = _figure(height, width)
    left = 0.12 if compact else 3.1
    ax = fig.add_axes([left / width, bottom / height, (width - left - 0.5) / width, (n * row) / height])
    size = 12 if compact else 9
    bar = (0.5 if compact else 0.62) / k
    slots = [n - 1 - i for i in range(n)]  # the first label on top
    drawn = []
    for j, (values, colour, name) in enumerate(series):
        offset = (k - 1) / 2 * bar - j * bar - (0.14 if compact else 0)
        drawn.append(ax.barh([y + offset for y in slots], [_float(v) for v in values], height=bar * 0.92,
                             color=colour, label=name))
    everything = [_float(v) for values, _c, _n in series for v in values]
    top = limit or max([100.0] + everything) * (1.16 if compact else 1.12)
    ax.set_xlim(0, top)
    ax.set_ylim(-0.6, n - 0.4 + (0.12 if compact else 0))
    for patch, value in zip(drawn[0], series[0][0], strict=True):
        ax.text(patch.get_width() + top * 0.01, patch.get_y() + patch.get_height() / 2, _vn(value),
                va="center", fontsize=size - 0.5, color=INK)
    if compact:
        ax.set_yticks([])
        for y, label in zip(slots, labels, strict=True):
            ax.text(0, y + (k * bar) / 2 + 0.02, _short(label, 38), fontsize=size, color=INK, va="bottom")
    else:
        ax.set_yticks(slots, [_short(label) for label in labels])
    ax.set_xlabel(axis_label, fontsize=size)
    ax.set_title(_short(title, 36) if compact else title, loc="left", fontsize=13 if compact else 11,
                 x=(-left + 0.12) / (width - left - 0.5))  # from the figure's left edge
    if legend:
        fig.legend(handles=[d for d, (_v, _c, name) in zip(drawn, series, strict=True) if name],
                   loc="lower left", bbox_to_anchor=(left / width, 0.02), ncol=k, fontsize=size - 1,
                   frameon=False)
    _style(ax, labelsize=size)
    return fig, ax


def index_bars(rows, *, title, axis_label, salt="bars", compact=False) -> str:
    """Indices of agencies, best first: `rows` = [(name, index)] (Decimal or None).

    Above MAX_BARS agencies it draws how many agencies fall in each 5-point band.
    """
    rows = [(name, idx) for name, idx in rows if idx is not None]
    if len(rows) > MAX_BARS:
        return index_distribution([idx for _n, idx in rows], title=title, axis_label=axis_label, salt=salt,
                                  compact=compact)

    def draw():
        fig, _ax = hbars_figure([n for n, _i in rows], [([i for _n, i in rows], BLUE, None)], title=title,
                                axis_label=axis_label, compact=compact)
        return _render(fig, title=title, salt=salt)

    return _draw(draw, title=title, salt=salt)


def index_distribution(indices, *, title, axis_label, salt="dist", compact=False) -> str:
    def draw():
        fig = _figure(3.2, NARROW if compact else WIDE)
        ax = fig.add_axes([0.14 if compact else 0.1, 0.18, 0.82 if compact else 0.86, 0.68])
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


def field_bars(fields, *, title, own_label, avg_label, salt="fields", compact=False) -> str:
    """Sub-indices per field for one agency: `fields` = [(label, percent, group average)]."""
    fields = list(fields)

    def draw():
        fig, _ax = hbars_figure([label for label, _p, _a in fields],
                                [([p for _l, p, _a in fields], BLUE, own_label),
                                 ([a for _l, _p, a in fields], GREY, avg_label)],
                                title=title, axis_label="%", compact=compact, limit=112)
        return _render(fig, title=title, salt=salt)

    return _draw(draw, title=title, salt=salt)


def year_over_year(rows, *, title, this_label, last_label, salt="yoy", compact=False) -> str:
    """Two bars per row: `rows` = [(label, this year, last year)] (percent, None when missing)."""
    rows = list(rows)[:MAX_BARS]

    def draw():
        fig, _ax = hbars_figure([label for label, _t, _l in rows],
                                [([t for _l, t, _p in rows], BLUE, this_label),
                                 ([p for _l, _t, p in rows], GOLD, last_label)],
                                title=title, axis_label="%", compact=compact)
        return _render(fig, title=title, salt=salt)

    return _draw(draw, title=title, salt=salt)


def years_lines(years, series, *, title, axis_label="%", salt="years", compact=False) -> str:
    """An agency's figures over the published years: `years` = [2024, 2025, …] and
    `series` = [(label, [value or None per year])], the first one (the index) drawn bold."""
    colours = [BLUE, GOLD, GREEN, RED, PURPLE, GREY, INK]

    def draw():
        width = NARROW if compact else WIDE
        legend_rows = (len(series) + (0 if compact else 1)) // (1 if compact else 2)
        line_in = 0.26 if compact else 0.22
        height = 2.6 + line_in * legend_rows
        fig = _figure(height, width)
        bottom = (AXIS_IN + line_in * legend_rows) / height
        ax = fig.add_axes([0.5 / width, bottom, (width - 0.8) / width, 1 - bottom - TITLE_IN / height])
        x = list(range(len(years)))
        for i, (label, values) in enumerate(series):
            points = [(xi, _float(v)) for xi, v in zip(x, values, strict=True) if v is not None]
            if not points:
                continue
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", color=colours[i % len(colours)],
                    linewidth=2.6 if i == 0 else 1.4, label=_short(label, 40 if compact else 48))
            if i == 0:
                for xi, value in zip(x, values, strict=True):
                    if value is not None:
                        ax.annotate(_vn(value), (xi, _float(value)), textcoords="offset points", xytext=(0, 7),
                                    ha="center", fontsize=9, color=INK)
        ax.set_xticks(x, [str(y) for y in years])
        ax.set_xlim(-0.4, len(years) - 0.6)
        ax.set_ylim(0, 112)
        ax.set_ylabel(axis_label, fontsize=9)
        ax.set_title(title, loc="left")
        fig.legend(loc="lower left", bbox_to_anchor=(0.1 / width, 0.01), ncol=1 if compact else 2,
                   fontsize=11 if compact else 9, frameon=False)
        _style(ax, labelsize=10 if compact else 9)
        ax.grid(axis="y", color="#e6eaf0", linewidth=0.8)
        return _render(fig, title=title, salt=salt)

    return _draw(draw, title=title, salt=salt)


def data_uri(svg: str) -> str:
    """The same SVG as an image source, for the PDFs: WeasyPrint then draws it as an image
    (no CSS cascade over every SVG element, no clash between the ids of two charts)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def cached(publication, name, build, *parts) -> str:
    """A publication's chart, drawn once: published figures never change."""
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:16]
    key = f"reports:chart:v2:{publication.pk}:{name}:{digest}"
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


def cached_pair(publication, name, build, *parts) -> dict[str, str]:
    """The chart drawn twice, once for a desktop and once for a phone (`build(compact)`): the
    page shows the one that fits (CSS), each readable at its width."""
    return {"wide": cached(publication, name, lambda: build(False), *parts),
            "narrow": cached(publication, name, lambda: build(True), *parts, "narrow")}
