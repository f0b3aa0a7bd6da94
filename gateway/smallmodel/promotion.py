"""A new intent version replaces LATEST only if it is not worse than the one serving.

    result = train_and_promote(dataset, models_dir, embedder, feedback=examples, tolerance=0.0)

1. The candidate is trained on the labelled set's training part plus the feedback
   examples that pass `screen_feedback` (never on the held-out part).
2. The current LATEST version is scored on the candidate's held-out split, with
   its own threshold, from the same embeddings: both figures describe the same
   questions answered the way serving answers them.
3. The candidate is promoted (LATEST names it) when its held-out accuracy and
   macro F1 are each at least the current version's minus `tolerance`, or when
   `force` is set, or when there is no comparable current version. Otherwise it
   is kept on disk as a named candidate (it can still be served or shadowed by
   name through the admin API) and LATEST does not move.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.exceptions import ModelError
from gateway.smallmodel.artifact import read_version
from gateway.smallmodel.dataset import load_dataset
from gateway.smallmodel.embedder import Embedder
from gateway.smallmodel.evaluate import evaluate
from gateway.smallmodel.feedback_data import FeedbackExamples, screen_feedback
from gateway.smallmodel.intent import decide
from gateway.smallmodel.report import render_markdown
from gateway.smallmodel.train import (
    Candidate,
    fit_candidate,
    free_time,
    heldout_rows,
    save_candidate,
    version_hash,
)

COMPARED = ("accuracy", "macro_f1")


@dataclass(frozen=True)
class CurrentScores:
    """The serving LATEST version, scored on the candidate's held-out split."""

    version: str
    scores: dict[str, float]  # accuracy, macro_f1 (served decision rule)
    same_data: bool  # trained from the same labelled file: the split is exactly its own


@dataclass(frozen=True)
class PromotionResult:
    candidate: Candidate
    current: CurrentScores | None
    promoted: bool
    reason: str
    feedback_used: int
    feedback_dropped: dict[str, int]
    feedback: FeedbackExamples | None
    tolerance: float

    @property
    def version(self) -> str:
        return self.candidate.version

    def to_dict(self) -> dict[str, Any]:
        current = self.current
        return {
            "promoted": self.promoted, "reason": self.reason, "tolerance": self.tolerance,
            "candidate": {k: self.candidate.report.served.summary()[k] for k in COMPARED},
            "current": None if current is None else {
                "version": current.version, **current.scores, "same_data": current.same_data,
            },
            "feedback": {
                "used": self.feedback_used, "dropped": self.feedback_dropped,
                "rated_turns": self.feedback.rated_turns if self.feedback else 0,
                "by_rule": self.feedback.used if self.feedback else {},
                "skipped_turns": self.feedback.skipped if self.feedback else {},
            },
        }


def train_and_promote(
    dataset: Path,
    models_dir: Path,
    embedder: Embedder,
    *,
    feedback: FeedbackExamples | None = None,
    tolerance: float = 0.0,
    force: bool = False,
    seed: int = 7,
    report_path: Path | None = None,
) -> PromotionResult:
    """Train a candidate, compare it with LATEST on the same held-out split, promote or keep it."""
    if tolerance < 0:
        raise ModelError(f"tolerance must be 0 or more, got {tolerance}")
    data = load_dataset(dataset)
    offered = feedback.examples if feedback else ()
    kept, dropped = screen_feedback(offered, data.examples, heldout_rows(data, seed))
    trained_at = free_time(models_dir, version_hash(data, kept))
    candidate = fit_candidate(data, embedder, seed=seed, feedback=kept, trained_at=trained_at)
    current = score_current(models_dir, embedder, candidate, data.sha256)
    promoted, reason = decide_promotion(candidate, current, tolerance=tolerance, force=force)
    result = PromotionResult(candidate, current, promoted, reason, len(kept), dropped, feedback, tolerance)
    save_candidate(models_dir, candidate, point_latest=promoted, notes={"promotion": result.to_dict()})
    if report_path is not None:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(render_report(result), encoding="utf-8")
    return result


def score_current(
    models_dir: Path, embedder: Embedder, candidate: Candidate, data_sha256: str
) -> CurrentScores | None:
    """LATEST's figures on the candidate's held-out split; None if there is none to compare with."""
    try:
        card, head = read_version(models_dir, "latest")
    except ModelError:
        return None
    if card.embedder_model_id != embedder.model_id or set(card.labels) != set(candidate.report.served.labels):
        return None  # it cannot serve here (other embeddings or intents): nothing to defend
    served = decide(card.labels, head.probabilities(candidate.heldout_vectors), card.threshold)
    labels, true = candidate.report.served.labels, candidate.heldout_intents
    evaluation = evaluate(labels, true, [p.intent for p in served])
    scores = {k: evaluation.summary()[k] for k in COMPARED}
    return CurrentScores(card.version, scores, same_data=card.data_sha256 == data_sha256)


def decide_promotion(
    candidate: Candidate, current: CurrentScores | None, *, tolerance: float, force: bool
) -> tuple[bool, str]:
    if current is None:
        return True, "no comparable LATEST version: the candidate becomes LATEST"
    new = candidate.report.served.summary()
    worse = [
        f"{k} {new[k]:.4f} < {current.scores[k]:.4f} - {tolerance:g}"
        for k in COMPARED if new[k] < current.scores[k] - tolerance
    ]
    if not worse:
        return True, f"not worse than {current.version} on the held-out split (tolerance {tolerance:g})"
    why = f"worse than {current.version} on the held-out split: {'; '.join(worse)}"
    if force:
        return True, f"promoted by --force although {why}"
    return False, f"kept as candidate {candidate.version}, LATEST stays {current.version}: {why}"


def render_report(result: PromotionResult) -> str:
    return render_markdown(result.candidate.report).rstrip("\n") + "\n\n" + "\n\n".join(
        [_comparison(result), _feedback_section(result)]
    ) + "\n"


def _comparison(result: PromotionResult) -> str:
    new = result.candidate.report.served.summary()
    verdict = "promoted" if result.promoted else "not promoted"
    lines = ["## Promotion", "", f"**{verdict}**: {result.reason}.", ""]
    current = result.current
    if current is None:
        return "\n".join(lines)
    lines += [
        f"| held-out metric (served rule) | candidate {result.version} | current {current.version} |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {k} | {new[k]:.4f} | {current.scores[k]:.4f} |" for k in COMPARED]
    split = (
        "The current version was trained from the same labelled file, so this is exactly its own "
        "held-out split."
        if current.same_data else
        "The current version was trained from another labelled file: it may have trained on some of these "
        "held-out questions, so its figure may be optimistic (the comparison errs towards keeping it)."
    )
    return "\n".join([*lines, "", split])


def _feedback_section(result: PromotionResult) -> str:
    fb = result.feedback
    lines = [
        "## Feedback from the audit log",
        "",
        "Rules: an associate's correction gives (query, corrected intent), even on a thumbs-down turn; "
        "a thumbs-down without a correction is never a positive example; a thumbs-up counts only on a "
        "small-model answer, as (query, intent served); a thumbs-up on a hosted-LLM answer says nothing "
        "about the intent and is left out. Leakage: the held-out split is drawn from the labelled file "
        "alone and feedback only ever joins the training part; a feedback text equal to a held-out text "
        "(case and spaces ignored) is dropped, one equal to a labelled training text too (the curated "
        "label wins), and a repeated text keeps its latest label.",
        "",
    ]
    if fb is None:
        return "\n".join([*lines, "No feedback was read (trained without the audit log)."])
    lines.append(f"- rated turns: {fb.rated_turns}; examples used in training: {result.feedback_used}")
    lines += [f"- from rule `{k}`: {v}" for k, v in sorted(fb.used.items())]
    lines += [f"- rated turns left out, `{k}`: {v}" for k, v in sorted(fb.skipped.items())]
    lines += [f"- examples dropped, `{k}`: {v}" for k, v in sorted(result.feedback_dropped.items())]
    return "\n".join(lines)
