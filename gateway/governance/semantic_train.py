"""Train the claim classifier (`_semantic.ClaimClassifier`) from the labelled governance set.

    train_claim_classifier(data_dir, models_dir, embedder) -> ClaimTrainReport

1. Items of the training splits only (dev, holdout-1, holdout-2; never holdout-3
   or -4, which measure it), placeholders filled with plausible member facts
   (varied per item, so a tier name or a balance is not what is learned).
2. Sentences: every sentence of a benign item is benign; the sentences of a
   violating item that hold its evidence are violating. Violations of form, not
   meaning (personal data, links, codes, offer markers, length, competitors'
   names) are left to the rules and not used as positives.
2b. With `synthetic=` (a template file, `_synthetic.py`): templated sentences are
   added to training, one group per template. They never set the threshold.
3. Out-of-fold scores (5 folds grouped by item or template) for a few C; the
   threshold is the lowest one that flags under 1% of the real benign items, and
   the C that then catches the most real violating items wins. Refit on
   everything, save.

scikit-learn is imported here only, at training time; serving needs numpy.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import yaml
from pydantic import BaseModel, ConfigDict

from gateway.governance._semantic import (
    OFFER_STANDIN,
    ClaimCard,
    prepare,
    weights_bytes,
    write_claim_classifier,
)
from gateway.governance._synthetic import synthetic_sentences
from gateway.governance.sentences import split_sentences
from gateway.smallmodel.embedder import Embedder

TRAIN_SPLITS = ("dev", "holdout-1", "holdout-2")
# Categories whose violations are a matter of form: the rules' job, not a sentence's meaning.
FORM_CATEGORIES = frozenset({"card", "email", "phone", "link", "image", "length", "unknown_offer",
                             "discount_code", "competitor"})
# Files of blind sets (evals/governance/dataset.py `BLIND_MARKERS`): never opened here.
BLIND_MARKERS = ("holdout-5", "holdout5", "holdout_5")
SYNTHETIC_PREFIX = "syn:"
C_GRID = (0.5, 2.0, 8.0, 32.0)
MAX_BENIGN_FPR = 0.01
FOLDS = 5
_TIERS = (("Bronze", "Silver"), ("Silver", "Gold"), ("Gold", "Platinum"))
_POINTS = ((2450, 310), (880, 120), (12615, 1500))


class _Item(BaseModel):
    """One entry of evals/governance/data/*.yaml (the evaluation validates the set itself)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    text: str
    label: Literal["violating", "benign"]
    category: str
    section: str
    channel: str = "app"
    user_text: str = ""
    evidence: str | None = None
    note: str | None = None
    split: str = "dev"


@dataclass(frozen=True)
class Sentences:
    items: tuple[str, ...]  # the item id of each sentence
    texts: tuple[str, ...]
    labels: npt.NDArray[np.int_]  # 1 violating, 0 benign


@dataclass(frozen=True)
class ClaimTrainReport:
    version: str
    path: Path
    threshold: float
    c: float
    metrics: dict[str, float]


def train_claim_classifier(data_dir: Path, models_dir: Path, embedder: Embedder, *,
                           seed: int = 7, synthetic: Path | None = None) -> ClaimTrainReport:
    items, hashes = load_training_items(data_dir)
    data = labelled_sentences(items)
    if synthetic is not None:
        data = _with_synthetic(data, synthetic, seed)
        hashes[synthetic.name] = hashlib.sha256(synthetic.read_bytes()).hexdigest()
    vectors = embedder.encode(list(data.texts)).astype(np.float64)
    c, threshold, metrics = choose_c_and_threshold(vectors, data, seed)
    coef, intercept = _fit(vectors, data.labels, c)
    trained_at = datetime.now(UTC).replace(microsecond=0)
    data_sha = hashlib.sha256("\n".join(f"{y}\t{t}" for y, t in zip(data.labels, data.texts,
                                                                    strict=True)).encode()).hexdigest()
    card = _card(embedder, coef=coef, intercept=intercept, threshold=threshold, c=c,
                 metrics=metrics, hashes=hashes, data_sha=data_sha, trained_at=trained_at)
    path = write_claim_classifier(models_dir, card, weights_bytes(coef, intercept))
    return ClaimTrainReport(card.version, path, threshold, c, metrics)


def load_training_items(data_dir: Path) -> tuple[list[_Item], dict[str, str]]:
    """The items of the training splits, and the sha256 of each file they came from."""
    items: list[_Item] = []
    hashes: dict[str, str] = {}
    for path in sorted(data_dir.glob("*.yaml")):
        if any(marker in path.name.lower() for marker in BLIND_MARKERS):
            continue  # a blind set is never read here, not even to skip its items
        raw = path.read_bytes()
        chosen = [i for i in (_Item.model_validate(e) for e in yaml.safe_load(raw) or [])
                  if i.split in TRAIN_SPLITS]
        if chosen:
            items.extend(chosen)
            hashes[path.name] = hashlib.sha256(raw).hexdigest()
    if not items:
        raise ValueError(f"no items of the splits {', '.join(TRAIN_SPLITS)} in {data_dir}")
    return items, hashes


def labelled_sentences(items: list[_Item]) -> Sentences:
    ids: list[str] = []
    texts: list[str] = []
    labels: list[int] = []
    for n, item in enumerate(items):
        if item.label == "violating" and item.category in FORM_CATEGORIES:
            continue
        text = fill_plausibly(item.text, n)
        evidence = _evidence_span(text, fill_plausibly(item.evidence, n) if item.evidence else None)
        for sentence in split_sentences(text):
            if item.label == "violating" and not (evidence[0] < sentence.end
                                                  and sentence.start < evidence[1]):
                continue  # the context around the evidence: neither label
            ids.append(item.id)
            texts.append(prepare(sentence.text))
            labels.append(int(item.label == "violating"))
    return Sentences(tuple(ids), tuple(texts), np.asarray(labels, dtype=np.int_))


def _with_synthetic(data: Sentences, path: Path, seed: int) -> Sentences:
    extra = synthetic_sentences(path, seed)
    return Sentences(
        items=(*data.items, *(s.group for s in extra)),
        texts=(*data.texts, *(prepare(s.text) for s in extra)),
        labels=np.concatenate([data.labels, np.asarray([int(s.label == "violating") for s in extra],
                                                       dtype=np.int_)]),
    )


def fill_plausibly(text: str, n: int) -> str:
    """`text` with its placeholders filled with one of a few plausible members' facts."""
    tier, next_tier = _TIERS[n % len(_TIERS)]
    points, expiring = _POINTS[n % len(_POINTS)]
    facts = {
        "points": f"{points:,}", "points_raw": str(points), "points_expiring": f"{expiring:,}",
        "tier": tier, "next_tier": next_tier, "expire_on": "March 31, 2027",
        "spend_to_next": "$182.40", "spend_to_next_rounded": "$182",
        "annual_spend": "$1,817.60", "last_amount": "$6.49", "last_product": "sourdough loaf",
        "offer_marker": OFFER_STANDIN, "offer_marker2": OFFER_STANDIN, "offer_id": "OFR-1042",
        "offer_id2": "OFR-1077", "offer_title": "Bakery Favourites", "offer_pct": "15",
        "offer_category": "bakery", "offer_valid_until": "December 6, 2026",
        "foreign_marker": "[[offer:OFR-2001]]",
    }
    for name, value in facts.items():
        text = text.replace("{" + name + "}", value)
    return text


def choose_c_and_threshold(vectors: npt.NDArray[np.float64], data: Sentences,
                           seed: int) -> tuple[float, float, dict[str, float]]:
    """The C and threshold with the best out-of-fold item recall at under 1% benign items flagged."""
    best: tuple[float, float, dict[str, float]] | None = None
    for c in C_GRID:
        scores = _out_of_fold(vectors, data, c, seed)
        threshold, metrics = _threshold(scores, data)
        metrics["c"] = c
        within = metrics["cv_item_fpr"] < MAX_BENIGN_FPR
        if within and (best is None or metrics["cv_item_recall"] > best[2]["cv_item_recall"]):
            best = (c, threshold, metrics)
    if best is None:
        raise ValueError(f"no C of {C_GRID} keeps benign items flagged under {MAX_BENIGN_FPR:.0%}")
    return best


def _out_of_fold(vectors: npt.NDArray[np.float64], data: Sentences, c: float,
                 seed: int) -> npt.NDArray[np.float64]:
    from sklearn.model_selection import StratifiedGroupKFold

    folds = StratifiedGroupKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    scores = np.zeros(len(data.texts), dtype=np.float64)
    for train, test in folds.split(vectors, data.labels, groups=list(data.items)):
        coef, intercept = _fit(vectors[train], data.labels[train], c)
        scores[test] = 1.0 / (1.0 + np.exp(-(vectors[test] @ coef + intercept)))
    return scores


def _threshold(scores: npt.NDArray[np.float64], data: Sentences) -> tuple[float, dict[str, float]]:
    """The lowest threshold that flags under MAX_BENIGN_FPR of benign items, and its metrics."""
    item_score: dict[str, float] = {}
    item_label: dict[str, int] = {}
    for item, score, label in zip(data.items, scores, data.labels, strict=True):
        if item.startswith(SYNTHETIC_PREFIX):
            continue  # templated sentences train; only real items set the threshold
        item_score[item] = max(item_score.get(item, 0.0), float(score))
        item_label[item] = max(item_label.get(item, 0), int(label))
    benign = sorted((s for i, s in item_score.items() if not item_label[i]), reverse=True)
    violating = [s for i, s in item_score.items() if item_label[i]]
    allowed = max(0, math.ceil(MAX_BENIGN_FPR * len(benign)) - 1)  # strictly under 1%
    threshold = min(1.0 - 1e-9, float(np.nextafter(benign[allowed], 1.0))) if benign else 0.5
    flagged_benign = sum(s >= threshold for s in benign)
    caught = sum(s >= threshold for s in violating)
    return threshold, {
        "cv_item_recall": caught / len(violating), "cv_item_fpr": flagged_benign / len(benign),
        "cv_item_precision": caught / max(1, caught + flagged_benign),
        "cv_violating_items": len(violating), "cv_benign_items": len(benign),
        "sentences": len(data.texts), "violating_sentences": int(data.labels.sum()),
    }


def _fit(vectors: npt.NDArray[np.float64], labels: npt.NDArray[np.int_],
         c: float) -> tuple[npt.NDArray[np.float64], float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
    model.fit(vectors, labels)
    return np.asarray(model.coef_[0], dtype=np.float64), float(model.intercept_[0])


def _evidence_span(text: str, evidence: str | None) -> tuple[int, int]:
    """Where the evidence is in `text`; the whole text when it has none (or it is not found)."""
    start = text.find(evidence) if evidence else -1
    return (start, start + len(evidence)) if evidence and start >= 0 else (0, len(text))


def _card(embedder: Embedder, *, coef: npt.NDArray[np.float64], intercept: float,
          threshold: float, c: float, metrics: dict[str, float], hashes: dict[str, str],
          data_sha: str, trained_at: datetime) -> ClaimCard:
    import sklearn

    from gateway.smallmodel.artifact import new_version

    weights = weights_bytes(coef, intercept)
    return ClaimCard(
        version=new_version(trained_at, data_sha), threshold=threshold,
        embedder_model_id=embedder.model_id, embedding_dim=int(coef.shape[0]),
        weights_sha256=hashlib.sha256(weights).hexdigest(), data_sha256=data_sha,
        data_files=hashes, splits=TRAIN_SPLITS, trained_at=trained_at,
        sklearn_version=sklearn.__version__, numpy_version=np.__version__,
        hyperparameters={"C": c, "class_weight": "balanced", "folds": FOLDS,
                         "max_benign_fpr": MAX_BENIGN_FPR},
        metrics=metrics,
    )
