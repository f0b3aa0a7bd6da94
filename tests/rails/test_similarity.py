"""The optional embedding check, with a small embedder of our own (a bag of known words)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gateway.policy.input_rails import InputRailsPolicy
from gateway.rails import InputScreen
from gateway.smallmodel.embedder import Embedder, Vectors
from gateway.turn import ChatMessage

from .support import MEMBER_ID

VOCABULARY = ("ignore", "instructions", "manager", "discount", "prompt", "points", "store", "open")


class BagOfWords:
    """Unit vectors over a tiny vocabulary: texts that share words are close."""

    model_id = "bag-of-words"

    def encode(self, texts: Sequence[str]) -> Vectors:
        rows = np.array([[float(w in t.lower()) for w in VOCABULARY] + [1e-3] for t in texts],
                        dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def screen_with_embedder(policy: InputRailsPolicy) -> InputScreen:
    embedder: Embedder = BagOfWords()
    return InputScreen(policy, embedder)


def test_a_message_close_to_a_known_attack_is_flagged(rails_policy: InputRailsPolicy) -> None:
    screen = screen_with_embedder(rails_policy)
    result = screen.screen((ChatMessage("user", "a discount from the manager"),), member_id=MEMBER_ID)
    assert result.action == "flag"
    assert result.codes == ("similar_to_attack",)
    assert "known attack" in result.findings[0].message


def test_an_ordinary_question_is_not_close_to_any_attack(rails_policy: InputRailsPolicy) -> None:
    screen = screen_with_embedder(rails_policy)
    result = screen.screen((ChatMessage("user", "when does the store open"),), member_id=MEMBER_ID)
    assert result.action == "allow"
