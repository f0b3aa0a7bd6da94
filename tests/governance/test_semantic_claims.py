"""The claim classifier: a learned second check on the sentences the rules passed.

Trained once per session on a small fixture (fixtures/semantic/) with the real
MiniLM embedder. Tests that need a decision to be certain set the policy's
threshold (`semantic.threshold`) rather than rely on the one cross-validation
chose on forty items.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from gateway.exceptions import ConfigError, ModelError
from gateway.governance import (
    ClaimClassifier,
    Gate,
    has_claim_classifier,
    load_claim_classifier,
    train_claim_classifier,
)
from gateway.policy.governance import GovernancePolicy, SemanticRules
from gateway.smallmodel import Embedder
from gateway.smallmodel.embedder import Vectors
from gateway.turn import Channel

from .support import make_context

pytestmark = pytest.mark.anyio
FIXTURE = Path(__file__).parent / "fixtures" / "semantic"
PARAPHRASE = "Bread is in aisle 2. Honey lemon water will clear your bronchitis."
BENIGN = "The muffins are in the bakery by the entrance."
DECISIVE = 0.7  # a threshold the fixture model separates its own sentences at


class CountingEmbedder:
    """The real embedder, recording what each `encode` call was given."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self.calls: list[list[str]] = []

    @property
    def model_id(self) -> str:
        return self._inner.model_id

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(list(texts))
        return self._inner.encode(texts)


@pytest.fixture(scope="module")
def models_dir(embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("claims")
    train_claim_classifier(FIXTURE, root, embedder)
    return root


@pytest.fixture
def classifier(models_dir: Path, embedder: Embedder) -> ClaimClassifier:
    return load_claim_classifier(models_dir, CountingEmbedder(embedder))


def with_threshold(policy: GovernancePolicy, threshold: float, *, enabled: bool = True) -> GovernancePolicy:
    return policy.model_copy(update={"semantic": SemanticRules(enabled=enabled, threshold=threshold)})


async def test_a_paraphrased_claim_the_rules_pass_is_replaced(
    policy: GovernancePolicy, classifier: ClaimClassifier
) -> None:
    gate = Gate(with_threshold(policy, DECISIVE), "v1", engine="rules", semantic=classifier)

    verdict = await gate.check(PARAPHRASE, make_context(), Channel.APP, user_text="hi")

    assert verdict.action == "replaced"
    assert verdict.final_text == policy.channels[Channel.APP].fallback
    assert [(v.code, v.policy) for v in verdict.violations] == [
        ("semantic_claim", "governance/semantic")]
    assert verdict.violations[0].excerpt == "Honey lemon water will clear your bronchitis."


async def test_the_gate_without_a_classifier_is_unchanged(rules_gate: Gate) -> None:
    verdict = await rules_gate.check(PARAPHRASE, make_context(), Channel.APP, user_text="hi")

    assert verdict.action == "pass"
    assert verdict.final_text == PARAPHRASE


async def test_a_benign_answer_passes_with_the_classifier(
    policy: GovernancePolicy, classifier: ClaimClassifier
) -> None:
    gate = Gate(with_threshold(policy, DECISIVE), "v1", engine="rules", semantic=classifier)

    verdict = await gate.check(BENIGN, make_context(), Channel.APP, user_text="hi")

    assert (verdict.action, verdict.final_text) == ("pass", BENIGN)


async def test_one_encode_per_answer_of_the_sentences_the_rules_passed(
    policy: GovernancePolicy, models_dir: Path, embedder: Embedder
) -> None:
    counting = CountingEmbedder(embedder)
    gate = Gate(with_threshold(policy, 0.999999), "v1", engine="rules",
                semantic=load_claim_classifier(models_dir, counting))
    counting.calls.clear()  # the fallbacks were checked when the gate was built
    text = "Milk is in aisle 4. Email me at tom@example.org. Eggs are next to it."

    await gate.check(text, make_context(), Channel.APP, user_text="hi")

    assert counting.calls[0] == ["Milk is in aisle 4.", "Eggs are next to it."]


async def test_the_offer_wording_the_gate_renders_is_not_scored(
    policy: GovernancePolicy, models_dir: Path, embedder: Embedder
) -> None:
    counting = CountingEmbedder(embedder)
    gate = Gate(with_threshold(policy, 0.999999), "v1", engine="rules",
                semantic=load_claim_classifier(models_dir, counting))
    counting.calls.clear()

    await gate.check("Here is one for you: [[offer:OFR-1]]", make_context(), Channel.APP,
                     user_text="hi")

    assert counting.calls == [["Here is one for you: this offer"]]


async def test_a_disabled_semantic_section_ignores_the_classifier(
    policy: GovernancePolicy, classifier: ClaimClassifier
) -> None:
    gate = Gate(with_threshold(policy, DECISIVE, enabled=False), "v1", engine="rules",
                semantic=classifier)

    verdict = await gate.check(PARAPHRASE, make_context(), Channel.APP, user_text="hi")

    assert verdict.action == "pass"


def test_a_classifier_that_flags_a_fallback_is_refused(
    policy: GovernancePolicy, classifier: ClaimClassifier
) -> None:
    with pytest.raises(ConfigError, match="fallback"):
        Gate(with_threshold(policy, 1e-6), "v1", engine="rules", semantic=classifier)


def test_training_saves_arrays_and_a_card_without_pickle(models_dir: Path) -> None:
    root = models_dir / "governance"
    version = (root / "LATEST").read_text(encoding="utf-8").strip()
    card = json.loads((root / version / "model.json").read_text(encoding="utf-8"))

    with np.load(root / version / "weights.npz", allow_pickle=False) as arrays:
        assert arrays["coef"].shape == (384,)
    assert card["labels"] == ["benign", "violating"]
    assert 0 < card["threshold"] < 1
    assert list(card["data_files"]) == ["train.yaml"]  # never the held-out split
    assert card["splits"] == ["dev", "holdout-1", "holdout-2"]
    assert {"cv_item_recall", "cv_item_fpr"} <= set(card["metrics"])
    assert has_claim_classifier(models_dir)


def test_a_missing_classifier_raises_model_error(tmp_path: Path, embedder: Embedder) -> None:
    assert not has_claim_classifier(tmp_path)
    with pytest.raises(ModelError, match="run `loyalty-gateway train`"):
        load_claim_classifier(tmp_path, embedder)


def test_corrupt_weights_raise_model_error(
    models_dir: Path, embedder: Embedder, tmp_path: Path
) -> None:
    copy = tmp_path / "models"
    _copy_tree(models_dir, copy)
    version = (copy / "governance" / "LATEST").read_text(encoding="utf-8").strip()
    weights = copy / "governance" / version / "weights.npz"
    weights.write_bytes(weights.read_bytes()[:-10])

    with pytest.raises(ModelError, match="run `loyalty-gateway train`"):
        load_claim_classifier(copy, embedder)


def test_a_card_of_another_embedding_space_raises_model_error(
    models_dir: Path, embedder: Embedder, tmp_path: Path
) -> None:
    copy = tmp_path / "models"
    _copy_tree(models_dir, copy)
    version = (copy / "governance" / "LATEST").read_text(encoding="utf-8").strip()
    card = copy / "governance" / version / "model.json"
    card.write_text(card.read_text(encoding="utf-8").replace(embedder.model_id, "other:0"),
                    encoding="utf-8")

    with pytest.raises(ModelError, match="run `loyalty-gateway train`"):
        load_claim_classifier(copy, embedder)


def _copy_tree(source: Path, target: Path) -> None:
    import shutil

    shutil.copytree(source, target)
