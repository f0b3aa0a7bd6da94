"""Plain data shared by test fixtures."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gateway.smallmodel import TrainReport


@dataclass(frozen=True)
class Trained:
    report: TrainReport
    models_dir: Path
    markdown: Path
