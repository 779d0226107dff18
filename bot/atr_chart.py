"""`/atr status YEAR chart`: ATR counts per year by IP right, and the year's offices × types, as a PNG.

matplotlib is imported on first use (it takes a moment) and drawn on a plain `Figure`
with the Agg canvas: no pyplot, no global state, safe from the bot's worker threads.
"""

from __future__ import annotations

import io

from atr.report import TYPE_LABELS, TYPES, Coverage

COLOURS = {"PI": "#1f3864", "TM": "#c0504d", "ID": "#9bbb59"}
MAX_MATRIX_OFFICES = 60  # beyond this the office panel would be unreadable: left out


def render(counts_by_year: dict[int, dict[str, int]], cov: Coverage) -> bytes:
    """PNG bytes: grouped bars (years × PI/TM/ID) and, if it fits, the year's coverage matrix."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    offices = sorted(set(cov.offices) | set(cov.expected))
    with_matrix = 0 < len(offices) <= MAX_MATRIX_OFFICES
    height = max(4.0, 0.22 * len(offices) + 1.5) if with_matrix else 4.0
    fig = Figure(figsize=(11 if with_matrix else 8, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    if with_matrix:
        bars, matrix = fig.subplots(1, 2, width_ratios=[3, 1])
    else:
        bars, matrix = fig.subplots(1, 1), None

    years = list(range(min(counts_by_year), max(counts_by_year) + 1)) if counts_by_year else []  # gaps show as 0
    width = 0.8 / len(TYPES)
    for i, ip_type in enumerate(TYPES):
        xs = [n + (i - 1) * width for n in range(len(years))]
        heights = [counts_by_year.get(y, {}).get(ip_type, 0) for y in years]
        drawn = bars.bar(xs, heights, width, label=f"{TYPE_LABELS[ip_type]} ({ip_type})", color=COLOURS[ip_type])
        bars.bar_label(drawn, fontsize=8, padding=1)
    bars.set_xticks(range(len(years)), [str(y) for y in years])
    bars.set_xlabel("Reporting year (year of the activities)")
    bars.set_ylabel("ATRs (offices)")
    bars.set_title("ATRs per reporting year by IP right")
    bars.yaxis.get_major_locator().set_params(integer=True)
    bars.legend(loc="upper left", fontsize=8, frameon=False)
    if not years:
        bars.text(0.5, 0.5, "No ATR links yet", ha="center", va="center", transform=bars.transAxes)

    if matrix is not None:
        grid = [[1 if t in cov.offices.get(office, set()) else 0 for t in TYPES] for office in offices]
        matrix.imshow(grid, cmap="Greens", vmin=0, vmax=1.4, aspect="auto")
        for row, office_row in enumerate(grid):
            for col, present in enumerate(office_row):
                matrix.text(col, row, "✓" if present else "·", ha="center", va="center", fontsize=8)
        matrix.set_xticks(range(len(TYPES)), [f"{t}\n{cov.count(t)}" for t in TYPES])
        matrix.set_yticks(range(len(offices)), offices, fontsize=8)
        matrix.xaxis.tick_top()
        matrix.tick_params(length=0)
        matrix.set_title(f"{cov.year}: {cov.total} ATRs from {len(cov.offices)} offices", fontsize=10)

    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
