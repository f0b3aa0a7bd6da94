"""One plain SVG figure: hit rate per policy with its interval, for both splits.

Written by hand (no plotting library in the environment): a dot per estimate and a
line for its 95% interval, one row per policy, one colour per split.
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path
from typing import Any

WIDTH, ROW, LEFT, RIGHT, TOP = 760, 26, 210, 40, 40
COLOURS = ("#1f5f8b", "#c2571a")


def _x(value: float, low: float, high: float) -> float:
    return LEFT + (value - low) / (high - low) * (WIDTH - LEFT - RIGHT)


def _axis(low: float, high: float, bottom: float) -> list[str]:
    parts = []
    tick = low
    while tick <= high + 1e-9:
        x = _x(tick, low, high)
        parts.append(f'<line x1="{x:.1f}" y1="{TOP - 10}" x2="{x:.1f}" y2="{bottom}" stroke="#ddd"/>')
        parts.append(f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle">{tick:.2f}</text>')
        tick += 0.05
    return parts


def hit_rate_svg(bt: dict[str, Any]) -> str:
    """Hit rate of every policy in every split, estimates with 95% intervals."""
    splits = bt["splits"]
    policies = list(splits[0]["policies"])
    estimates = [s["policies"][p]["hit"] for s in splits for p in policies]
    low = math.floor(min(e["low"] for e in estimates) / 0.05) * 0.05
    high = math.ceil(max(e["high"] for e in estimates) / 0.05) * 0.05
    bottom = TOP + ROW * len(policies)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{bottom + 40 + 18 * len(splits)}" '
        'font-family="sans-serif" font-size="12">',
        f'<text x="{LEFT}" y="18">Hit rate of the offered category in the next basket (95% CI)</text>',
        *_axis(low, high, bottom),
    ]
    for row, policy in enumerate(policies):
        y = TOP + ROW * row + ROW / 2
        parts.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{escape(policy)}</text>')
        for index, split in enumerate(splits):
            est = split["policies"][policy]["hit"]
            yy = y + (index - 0.5) * 8
            x0, x1, xv = (_x(est[k], low, high) for k in ("low", "high", "value"))
            parts.append(
                f'<line x1="{x0:.1f}" y1="{yy:.1f}" x2="{x1:.1f}" y2="{yy:.1f}" '
                f'stroke="{COLOURS[index]}" stroke-width="2"/>'
            )
            parts.append(f'<circle cx="{xv:.1f}" cy="{yy:.1f}" r="3" fill="{COLOURS[index]}"/>')
    for index, split in enumerate(splits):
        parts.append(
            f'<text x="{LEFT}" y="{bottom + 40 + 18 * index}" fill="{COLOURS[index]}">'
            f"{escape(split['name'])}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write_figure(bt: dict[str, Any], path: Path) -> None:
    path.write_text(hit_rate_svg(bt))
