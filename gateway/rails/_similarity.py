"""Similarity to known attacks in embedding space: an optional second opinion.

The exemplars are embedded once, when the screen is built; each screened
message then costs one `encode` call (a few milliseconds of MiniLM on CPU,
against microseconds for the patterns), which is why the screen runs it only
when the patterns have not already blocked the turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from gateway.policy.input_rails import Similarity

if TYPE_CHECKING:  # the embedder's module is only needed for the type
    from gateway.smallmodel.embedder import Embedder


@dataclass(frozen=True)
class Nearest:
    exemplar: str
    score: float


class ExemplarIndex:
    def __init__(self, embedder: Embedder, similarity: Similarity) -> None:
        self._embedder = embedder
        self._exemplars = similarity.exemplars
        self._threshold = similarity.threshold
        self._vectors = embedder.encode(list(similarity.exemplars))

    def nearest(self, text: str) -> Nearest | None:
        """The closest exemplar if it is at least as close as the threshold."""
        [query] = self._embedder.encode([text])
        scores = self._vectors @ query  # rows are unit length: dot product is cosine
        best = int(np.argmax(scores))
        score = float(scores[best])
        return Nearest(self._exemplars[best], score) if score >= self._threshold else None
