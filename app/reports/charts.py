"""Bar charts drawn on the server as inline SVG: no script and no CDN, they print like
text, and every bar carries its number, so a black-and-white copy still reads."""
from markupsafe import Markup, escape

from app.i18n import format_number

from .layout import Chart

WIDTH, LABEL, BAR, ROW, PAD = 560, 230, 260, 22, 6
LONGEST = 34  # characters of a label that fit beside the bars; the rest is in its tooltip


def _short(label: str) -> str:
    return label if len(label) <= LONGEST else label[: LONGEST - 1].rstrip() + "…"


def bar_chart(chart: Chart) -> Markup:
    peak = max((value for _label, value in chart.bars), default=0) or 1
    height = 2 * PAD + ROW * len(chart.bars)
    # The bars share their colours through their group: a region's dashboard draws a few
    # hundred of them, and the page stays small.
    labels, bars, numbers = [], [], []
    for i, (label, value) in enumerate(chart.bars):
        y = PAD + i * ROW
        width = round(BAR * value / peak, 1)
        short = _short(label)
        tooltip = f"<title>{escape(label)}</title>" if short != label else ""
        labels.append(f'<text x="{LABEL - 6}" y="{y + 15}">{escape(short)}{tooltip}</text>')
        bars.append(f'<rect x="{LABEL}" y="{y + 4}" width="{width}" height="{ROW - 8}"/>')
        numbers.append(f'<text x="{LABEL + width + 5}" y="{y + 15}">{escape(format_number(value))}</text>')
    return Markup("".join([
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(chart.title)}" font-family="sans-serif" font-size="12">',
        '<g text-anchor="end">', *labels, "</g>",
        '<g fill="#4a7fb5" stroke="#1f4e79" stroke-width="0.5">', *bars, "</g>",
        *numbers, "</svg>"]))
