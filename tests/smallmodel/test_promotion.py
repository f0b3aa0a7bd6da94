"""`train` promotes a new intent version only if it is not worse than LATEST on the same held-out split."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from gateway.exceptions import ModelError
from gateway.settings import PROJECT_ROOT
from gateway.smallmodel import Embedder
from gateway.smallmodel.artifact import intent_root
from gateway.smallmodel.dataset import Example, load_dataset
from gateway.smallmodel.embedder import Vectors
from gateway.smallmodel.feedback_data import FeedbackExamples, screen_feedback
from gateway.smallmodel.promotion import COMPARED, PromotionResult, decide_promotion, train_and_promote
from gateway.smallmodel.train import heldout_rows

INTENT_DATA = PROJECT_ROOT / "evals" / "intents" / "intents.jsonl"
PER_INTENT = 14  # small slices keep each training run to a second or two


class MemoEmbedder:
    """The real MiniLM, remembering what it embedded: each run here re-embeds the same texts."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self._seen: dict[str, Vectors] = {}

    @property
    def model_id(self) -> str:
        return self._inner.model_id

    def encode(self, texts: Sequence[str]) -> Vectors:
        new = [t for t in dict.fromkeys(texts) if t not in self._seen]
        if new:
            self._seen.update(zip(new, self._inner.encode(new), strict=True))
        if not texts:
            return self._inner.encode(texts)
        return np.stack([self._seen[t] for t in texts])


@pytest.fixture(scope="module")
def memo(embedder: Embedder) -> Embedder:
    return MemoEmbedder(embedder)


def _lines_by_intent() -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for line in INTENT_DATA.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            grouped[record["intent"]].append(record)
    return grouped


@pytest.fixture(scope="module")
def small_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("slice") / "intents.jsonl"
    lines = [r for records in _lines_by_intent().values() for r in records[:PER_INTENT]]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    return path


def _poison(n: int = 60) -> FeedbackExamples:
    """'Corrections' that call points questions tier questions (texts outside the slice)."""
    points = _lines_by_intent()["points_balance"][PER_INTENT : PER_INTENT + n]
    examples = tuple(Example(r["text"], "tier_status", r["channel"]) for r in points)
    return FeedbackExamples(examples, rated_turns=len(examples), used={"corrected": len(examples)})


def _latest(models_dir: Path) -> str:
    return (intent_root(models_dir) / "LATEST").read_text().strip()


@dataclass(frozen=True)
class First:
    result: PromotionResult
    models: Path

    @property
    def version(self) -> str:
        return self.result.version


@pytest.fixture(scope="module")
def first(small_set: Path, memo: Embedder, tmp_path_factory: pytest.TempPathFactory) -> First:
    models = tmp_path_factory.mktemp("promotion") / "models"
    return First(train_and_promote(small_set, models, memo), models)


def _models(first: First, folder: Path) -> Path:
    """A private copy of the models folder, holding the first version as LATEST."""
    copy = folder / "models"
    shutil.copytree(first.models, copy)
    return copy


def test_the_first_version_is_promoted_when_there_is_nothing_to_compare(first: First) -> None:
    assert first.result.promoted and first.result.current is None
    assert "no comparable LATEST" in first.result.reason
    assert _latest(first.models) == first.version


def test_a_version_as_good_as_latest_is_promoted(
    first: First, small_set: Path, memo: Embedder, tmp_path: Path
) -> None:
    models = _models(first, tmp_path)

    again = train_and_promote(small_set, models, memo)

    assert again.version != first.version  # a second run of the same data gets its own name
    assert again.current is not None and again.current.version == first.version
    assert again.current.same_data
    assert again.current.scores["accuracy"] == pytest.approx(first.result.candidate.report.served.accuracy)
    assert again.promoted and _latest(models) == again.version


@pytest.fixture(scope="module")
def worse(first: First, small_set: Path, memo: Embedder, tmp_path_factory: pytest.TempPathFactory) -> First:
    """A candidate trained with corrections that mislabel points questions, next to `first`."""
    models = _models(first, tmp_path_factory.mktemp("worse"))
    report = models.parent / "report.md"
    result = train_and_promote(small_set, models, memo, feedback=_poison(), report_path=report)
    return First(result, models)


def test_a_worse_version_is_kept_as_a_named_candidate_and_latest_stays(first: First, worse: First) -> None:
    result = worse.result

    assert not result.promoted
    assert _latest(worse.models) == first.version
    assert (intent_root(worse.models) / worse.version / "weights.npz").is_file()  # servable by name
    assert "worse than" in result.reason and first.version in result.reason


def test_the_reports_show_both_versions_figures_and_the_decision(first: First, worse: First) -> None:
    saved = json.loads((intent_root(worse.models) / worse.version / "report.json").read_text())
    markdown = (worse.models.parent / "report.md").read_text()

    assert saved["promotion"]["promoted"] is False
    assert saved["promotion"]["current"]["version"] == first.version
    assert saved["promotion"]["candidate"]["accuracy"] < saved["promotion"]["current"]["accuracy"]
    assert "not promoted" in markdown
    assert f"candidate {worse.version}" in markdown and f"current {first.version}" in markdown
    assert "examples used in training: 60" in markdown and "never a positive example" in markdown


def test_force_promotes_a_worse_version_and_says_so(worse: First) -> None:
    result = worse.result

    promoted, reason = decide_promotion(result.candidate, result.current, tolerance=0.0, force=True)

    assert promoted and "--force" in reason


def test_a_tolerance_lets_a_slightly_worse_version_through(worse: First) -> None:
    result = worse.result
    assert result.current is not None
    gap = max(result.current.scores[k] - result.candidate.report.served.summary()[k] for k in COMPARED)

    assert decide_promotion(result.candidate, result.current, tolerance=gap + 1e-9, force=False)[0]
    assert not decide_promotion(result.candidate, result.current, tolerance=gap / 2, force=False)[0]


def test_a_negative_tolerance_is_refused(small_set: Path, embedder: Embedder, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="tolerance"):
        train_and_promote(small_set, tmp_path / "models", embedder, tolerance=-0.1)


def test_feedback_never_reaches_the_held_out_split(small_set: Path) -> None:
    data = load_dataset(small_set)
    held = heldout_rows(data)
    held_text = data.examples[int(held[0])].text
    train_text = next(e.text for i, e in enumerate(data.examples) if i not in set(held.tolist()))
    feedback = [
        Example(f"  {held_text.upper()} ", "open", "app"),  # case and spaces do not hide a leak
        Example(train_text, "open", "app"),
        Example("is the pharmacy open late", "open", "app"),
        Example("Is the pharmacy open late", "store_hours", "associate"),  # later label wins
    ]

    kept, dropped = screen_feedback(feedback, data.examples, held)

    assert kept == [Example("Is the pharmacy open late", "store_hours", "associate")]
    assert dropped == {"in_heldout_split": 1, "in_labelled_training_set": 1, "repeated_text_latest_kept": 1}


def test_the_held_out_split_depends_only_on_the_labelled_set(small_set: Path) -> None:
    data = load_dataset(small_set)

    assert heldout_rows(data).tolist() == heldout_rows(load_dataset(small_set)).tolist()
