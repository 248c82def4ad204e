"""Bar charts drawn on the server as inline SVG: no script and no CDN, they print like
text, and every bar carries its number, so a black-and-white copy still reads.

Each label stands on its own line above its bar, from the left edge of the chart: the
server cannot measure text, and a label right-aligned against the bars lost its first
letters wherever it was longer than the room left of them."""
from markupsafe import Markup, escape

from app.i18n import format_number

from .layout import Chart

WIDTH, NUMBER, PAD = 560, 56, 4  # the chart, the room right of the longest bar for its number
LINE, BAR, ROW = 14, 12, 34  # a label's line, a bar's height, one category in all
LONGEST = 80  # characters of a label that fit the chart's width; the rest is in its tooltip


def _short(label: str) -> str:
    return label if len(label) <= LONGEST else label[: LONGEST - 1].rstrip() + "…"


def bar_chart(chart: Chart) -> Markup:
    peak = max((value for _label, value in chart.bars), default=0) or 1
    height = 2 * PAD + ROW * len(chart.bars)
    room = WIDTH - NUMBER
    # The bars share their colours through their group: a region's dashboard draws a few
    # hundred of them, and the page stays small.
    labels, bars, numbers = [], [], []
    for i, (label, value) in enumerate(chart.bars):
        top = PAD + i * ROW
        width = round(room * value / peak, 1)
        short = _short(label)
        tooltip = f"<title>{escape(label)}</title>" if short != label else ""
        labels.append(f'<text x="0" y="{top + LINE - 3}">{escape(short)}{tooltip}</text>')
        bars.append(f'<rect x="0" y="{top + LINE + 1}" width="{width}" height="{BAR}"/>')
        numbers.append(f'<text x="{width + 5}" y="{top + LINE + BAR - 1}">{escape(format_number(value))}</text>')
    return Markup("".join([
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(chart.title)}" font-family="sans-serif" font-size="12">',
        '<g fill="#333">', *labels, "</g>",
        '<g fill="#4a7fb5" stroke="#1f4e79" stroke-width="0.5">', *bars, "</g>",
        '<g font-weight="bold">', *numbers, "</g></svg>"]))
