"""The boundary to Vowpal Wabbit: a typed learner, VW's errors translated into `ModelError`.

The model is VW's `--cb_adf` reduction with the MTR cost estimator: on feedback it
regresses the cost of the offer that was shown, weighted by the inverse of the
probability with which it was shown, so what it learns from an explored decision is
not biased by how rarely it explores. `predict` returns one estimated cost per
candidate, in the candidates' order. VW is imported only when a learner is built.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Sequence
from typing import Any

from gateway.decisioning.arbitration import LearnerSettings
from gateway.exceptions import ModelError


def _workspace(args: list[str]) -> Any:
    from vowpalwabbit import Workspace  # type: ignore[import-untyped]

    try:
        return Workspace(arg_list=[*args, "--quiet"], enable_logging=False)
    except RuntimeError as e:
        raise ModelError(f"Vowpal Wabbit refused the model: {e}", code="bandit_model_invalid") from e


class VWLearner:
    """One VW workspace; calls are serialised because a workspace is not thread-safe."""

    def __init__(self, workspace: Any) -> None:
        self._ws = workspace
        self._lock = threading.Lock()

    @classmethod
    def fresh(cls, settings: LearnerSettings, *, seed: int) -> VWLearner:
        args = [
            "--cb_adf", "--cb_type", "mtr", "--save_resume",
            "--random_seed", str(seed), "-b", str(settings.bits),
            "-l", str(settings.learning_rate), "--power_t", str(settings.power_t),
        ]  # fmt: skip
        for pair in settings.interactions:
            args += ["-q", pair]
        return cls(_workspace(args))

    @classmethod
    def from_bytes(cls, data: bytes) -> VWLearner:
        # VW reads models from files only; --save_resume keeps the adaptive state so
        # learning continues where it stopped instead of restarting its step sizes.
        with tempfile.TemporaryDirectory(prefix="lg-vw-") as folder:
            path = os.path.join(folder, "model.vw")
            with open(path, "wb") as f:
                f.write(data)
            return cls(_workspace(["--save_resume", "-i", path]))

    def costs(self, lines: Sequence[str]) -> list[float]:
        with self._lock:
            try:
                return [float(c) for c in self._ws.predict(list(lines))]
            except RuntimeError as e:
                raise ModelError(f"Vowpal Wabbit could not score: {e}", code="bandit_model_error") from e

    def learn(self, lines: Sequence[str]) -> None:
        with self._lock:
            try:
                self._ws.learn(list(lines))
            except RuntimeError as e:
                raise ModelError(f"Vowpal Wabbit could not learn: {e}", code="bandit_model_error") from e

    def to_bytes(self) -> bytes:
        with tempfile.TemporaryDirectory(prefix="lg-vw-") as folder:
            path = os.path.join(folder, "model.vw")
            with self._lock:
                self._ws.save(path)
            with open(path, "rb") as f:
                return f.read()
