"""Run an intent model exported by `loyalty-gateway export`, with nothing of the gateway installed.

    pip install numpy onnxruntime tokenizers
    python run_exported_model.py ARTIFACT_DIR "how many points do I have"
    python run_exported_model.py ARTIFACT_DIR --json "store hours" "can you recommend a wine"
    python run_exported_model.py ARTIFACT_DIR --stdin --json < questions.txt   # one question a line

Prints the intent to act on and the model's confidence in its best guess. When
the best guess is a lookup intent below the threshold, the intent is `open` and
the guess is shown as deferred (the decision rule in MODEL_CARD.md).
Each exported artifact carries a copy of this file as `run.py`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer


class ExportedIntentModel:
    """Tokenizer → encoder.onnx (unit sentence vectors) → head.onnx (probabilities) → decision rule."""

    def __init__(self, folder: Path) -> None:
        labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
        spec = json.loads((folder / "encoder.json").read_text(encoding="utf-8"))
        self.labels = list(labels["labels"])
        self.lookup = set(labels["lookup_intents"])
        self.open_intent = labels["open_intent"]
        self.threshold = float(labels["threshold"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=int(spec["max_length"]))
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.encoder_output = spec["output"]
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        self.encoder = ort.InferenceSession(str(folder / "encoder.onnx"), options,
                                            providers=["CPUExecutionProvider"])
        self.head = ort.InferenceSession(str(folder / "head.onnx"), providers=["CPUExecutionProvider"])

    def probabilities(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        }
        (vectors,) = self.encoder.run([self.encoder_output], feed)
        (probabilities,) = self.head.run(["probabilities"], {"sentence_embedding": vectors})
        return np.asarray(probabilities, dtype=np.float64)

    def predict(self, texts: list[str], batch_size: int = 64) -> list[dict[str, object]]:
        results: list[dict[str, object]] = []
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            for text, row in zip(batch, self.probabilities(batch), strict=True):
                results.append(self.decide(text, row))
        return results

    def decide(self, text: str, row: np.ndarray) -> dict[str, object]:
        best = int(row.argmax())
        top, confidence = self.labels[best], float(row[best])
        intent = self.open_intent if top in self.lookup and confidence < self.threshold else top
        return {"text": text, "intent": intent, "confidence": confidence, "top_intent": top}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("artifact", type=Path, help="the folder written by `loyalty-gateway export`")
    parser.add_argument("texts", nargs="*", help="questions to classify")
    parser.add_argument("--stdin", action="store_true", help="read questions from stdin, one a line")
    parser.add_argument("--json", action="store_true", help="print a JSON list instead of text")
    args = parser.parse_args(argv)
    texts = list(args.texts) + (sys.stdin.read().splitlines() if args.stdin else [])
    if not texts:
        parser.error("give at least one question (or --stdin)")
    if not (args.artifact / "labels.json").is_file():
        parser.error(f"{args.artifact} is not an exported model folder (no labels.json)")
    results = ExportedIntentModel(args.artifact).predict(texts)
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
        return 0
    for result in results:
        deferred = ""
        if result["intent"] != result["top_intent"]:
            deferred = f" (deferred: best guess {result['top_intent']})"
        print(f"{result['intent']}\t{result['confidence']:.3f}{deferred}\t{result['text']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
