"""Cumulative reward and cumulative regret against the oracle, one line per policy.

matplotlib is not a dependency of the project: when it is installed the figure is a
PNG, otherwise a plain SVG drawn here (same panels, no dependency). Either way the
function returns the path it wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

Series = Mapping[str, tuple[NDArray[np.float64], NDArray[np.float64]]]  # name → (mean, half-width)
COLOURS = ("#222222", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b")


def colours(series: Series) -> dict[str, str]:
    """One colour per policy, the same in both panels (the regret panel has no oracle)."""
    return {name: COLOURS[i % len(COLOURS)] for i, name in enumerate(series)}


def plot(reward: Series, regret: Series, rounds_per_day: int, out_stem: Path) -> Path:
    try:
        import matplotlib
    except ImportError:
        path = out_stem.with_suffix(".svg")
        path.write_text(_svg(reward, regret, rounds_per_day), encoding="utf-8")
        return path
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, series, title in ((axes[0], reward, "cumulative margin earned"),
                              (axes[1], regret, "cumulative regret vs oracle")):  # fmt: skip
        for name, (mean, half) in series.items():
            colour = colours(reward)[name]
            days = np.arange(1, mean.size + 1) / rounds_per_day
            ax.plot(days, mean, label=name, color=colour, linewidth=1.4)
            ax.fill_between(days, mean - half, mean + half, color=colour, alpha=0.15, linewidth=0)
        ax.set_title(title)
        ax.set_xlabel("day")
        ax.grid(alpha=0.3)
    axes[0].legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    path = out_stem.with_suffix(".png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _svg(reward: Series, regret: Series, rounds_per_day: int) -> str:
    width, height = 1200, 460
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="sans-serif">',
        '<rect width="100%" height="100%" fill="white"/>',
    ]
    palette = colours(reward)
    parts += _panel(reward, "cumulative margin earned", 0, rounds_per_day, palette)
    parts += _panel(regret, "cumulative regret vs oracle", width // 2, rounds_per_day, palette)
    for i, (name, colour) in enumerate(palette.items()):
        y = 50 + 16 * i
        parts.append(f'<rect x="80" y="{y - 9}" width="12" height="3" fill="{colour}"/>')
        parts.append(f'<text x="98" y="{y}" font-size="11">{name}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _panel(
    series: Series, title: str, left: int, rounds_per_day: int, palette: Mapping[str, str]
) -> list[str]:
    x0, y0, w, h = left + 60, 40, 520, 360  # plot area: top-left corner and size
    top = max(float((m + hw).max()) for m, hw in series.values()) or 1.0
    n = max(m.size for m, _ in series.values())
    out = [f'<text x="{x0 + w // 2}" y="24" font-size="14" text-anchor="middle">{title}</text>',
           f'<rect x="{x0}" y="{y0}" width="{w}" height="{h}" fill="none" stroke="#888"/>']  # fmt: skip
    for frac in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = y0 + h - frac * h
        label, day = frac * top, frac * n / rounds_per_day
        attrs = f'x="{x0 - 6}" y="{y + 4:.0f}" font-size="10" text-anchor="end"'
        out.append(f"<text {attrs}>{label:,.0f}</text>" if top >= 10 else f"<text {attrs}>{label:.3g}</text>")
        x = x0 + frac * w
        attrs = f'x="{x:.0f}" y="{y0 + h + 16}" font-size="10" text-anchor="middle"'
        out.append(f"<text {attrs}>{day:.0f}</text>")
    out.append(f'<text x="{x0 + w // 2}" y="{y0 + h + 32}" font-size="11" text-anchor="middle">day</text>')
    step = max(1, n // 400)
    def points(values: NDArray[np.float64], ks: range) -> str:
        return " ".join(f"{x0 + k / n * w:.1f},{y0 + h - values[k] / top * h:.1f}" for k in ks)

    for name, (mean, half) in series.items():
        colour, ks = palette[name], range(0, mean.size, step)
        band = f"{points(mean + half, ks)} {points(mean - half, ks[::-1])}"
        out.append(f'<polygon points="{band}" fill="{colour}" fill-opacity="0.15" stroke="none"/>')
        pts = points(mean, ks)
        out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
    return out
