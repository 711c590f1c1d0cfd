"""Server-side charts (matplotlib, SVG): attainment per month and severity."""

from __future__ import annotations

import io


def attainment_svg(series: list[tuple[str, dict[int, float]]]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3.2), dpi=100)
    axes = figure.subplots()
    months = [month for month, _ in series]
    colours = {1: "#b3261e", 2: "#b26a00", 3: "#1f5fbf"}
    width = 0.25
    for offset, severity in enumerate((1, 2, 3)):
        xs = [i + (offset - 1) * width for i in range(len(months))]
        ys = [by_sev.get(severity, float("nan")) for _, by_sev in series]
        axes.bar(xs, ys, width=width, label=f"Severity {severity}", color=colours[severity])
    axes.set_xticks(range(len(months)), months, rotation=0 if len(months) < 7 else 45, fontsize=8)
    axes.set_ylim(0, 100)
    axes.set_ylabel("% met")
    axes.set_title("Initial response attainment by month", fontsize=10)
    if not months:
        axes.text(0.5, 0.5, "No decided clocks yet", ha="center", va="center", transform=axes.transAxes)
    else:
        axes.legend(fontsize=8, loc="lower right")
    figure.tight_layout()
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
