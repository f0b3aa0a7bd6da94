"""Extra intent model versions for tests: the trained weights under another name or card."""

from __future__ import annotations

import hashlib
from pathlib import Path

from gateway.smallmodel.artifact import ModelCard, read_version, weights_bytes, write_version

OTHER_SPACE = "bert-L12-H768:0000000000000000"  # an embedding space nobody here serves


def add_sibling_version(models_dir: Path, version: str, **card: object) -> None:
    """Write LATEST's weights as `version` (LATEST does not move), with `card` fields changed."""
    original, head = read_version(models_dir, "latest")
    weights = weights_bytes(head)
    changed = ModelCard.model_validate({
        **original.model_dump(), "version": version,
        "weights_sha256": hashlib.sha256(weights).hexdigest(), **card,
    })
    write_version(models_dir, changed, weights, {}, point_latest=False)
