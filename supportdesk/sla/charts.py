"""Server-side charts (matplotlib, SVG) for the manager dashboard: attainment per month and severity, per
client, and ticket volume per channel."""

from __future__ import annotations

import io
from typing import Any

SEVERITY_COLOURS = {1: "#b3261e", 2: "#b26a00", 3: "#1f5fbf"}
BAR_COLOUR = "#1f5fbf"


def attainment_svg(series: list[tuple[str, dict[int, float]]]) -> str:
    figure, axes = _figure(3.2)
    months = [month for month, _ in series]
    width = 0.25
    for offset, severity in enumerate((1, 2, 3)):
        xs = [i + (offset - 1) * width for i in range(len(months))]
        ys = [by_sev.get(severity, float("nan")) for _, by_sev in series]
        axes.bar(xs, ys, width=width, label=f"Severity {severity}", color=SEVERITY_COLOURS[severity])
    axes.set_xticks(range(len(months)), months, rotation=0 if len(months) < 7 else 45, fontsize=8)
    axes.set_ylim(0, 100)
    axes.set_ylabel("% met")
    axes.set_title("Initial response attainment by month", fontsize=10)
    if not months:
        _say_empty(axes, "No decided clocks yet")
    else:
        axes.legend(fontsize=8, loc="lower right")
    return _svg(figure)


def client_attainment_svg(series: list[tuple[str, float, int]]) -> str:
    """Horizontal bars: each client's percent met over the period, lowest first (the ones to look at), with
    how many clocks were decided."""
    rows = sorted(series, key=lambda row: (row[1], row[0]))
    figure, axes = _figure(max(2.0, 0.9 + 0.28 * len(rows)))
    positions = list(range(len(rows)))
    axes.barh(positions, [percent for _, percent, _ in rows], color=BAR_COLOUR)
    axes.set_yticks(positions, [f"{_short(name)} ({total})" for name, _, total in rows], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("% met (clocks decided)")
    axes.set_title("Initial response attainment by client", fontsize=10)
    if not rows:
        _say_empty(axes, "No decided clocks yet")
    return _svg(figure)


def volume_svg(volume: list[tuple[str, int]]) -> str:
    """Bars: tickets opened per channel over the period."""
    figure, axes = _figure(2.8)
    channels = [channel for channel, _ in volume]
    axes.bar(range(len(channels)), [n for _, n in volume], color=BAR_COLOUR)
    axes.set_xticks(range(len(channels)), channels, fontsize=8)
    axes.set_ylabel("tickets")
    axes.set_title("Tickets opened by channel", fontsize=10)
    if not channels:
        _say_empty(axes, "No tickets in this period")
    return _svg(figure)


def _figure(height: float) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, height), dpi=100)
    return figure, figure.subplots()


def _say_empty(axes: Any, text: str) -> None:
    axes.text(0.5, 0.5, text, ha="center", va="center", transform=axes.transAxes)


def _short(name: str, limit: int = 28) -> str:
    return name if len(name) <= limit else name[:limit - 1] + "…"


def _svg(figure: Any) -> str:
    figure.tight_layout()
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
