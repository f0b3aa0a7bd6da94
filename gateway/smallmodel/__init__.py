"""The brand's own small model: an intent classifier on sentence embeddings that
answers lookup questions (points, tier, offers, purchases, store hours, expiry)
from live member data through approved templates, and hands everything else to
the LLM route.

    embedder   texts → unit vectors (`Embedder` protocol; PyTorch backend today)
    dataset    the labelled intent set (evals/intents/intents.jsonl)
    train      split, choose C and threshold out-of-fold, fit, evaluate, save
    artifact   version folders: weights.npz + model.json + report.json, no pickle
    intent     serving: `load_intent_model(...).predict(text)`
    answers    `SmallModelResponder.answer(intent, context)` → Draft
    registry   `ModelRegistry`: the serving version and a shadow, swapped without a restart
    shadow     `ShadowObserver`: the shadow's prediction into the audit and a metric
    promotion  `train_and_promote`: a new version replaces LATEST only if not worse
    feedback_data    training examples from answer feedback in the audit log
    finetune_export  governed turns as OpenAI fine-tuning JSONL, personal data removed

Importing this package loads no model and imports neither torch nor scikit-learn.
"""

from gateway.smallmodel.answers import SmallModelResponder, offer_marker
from gateway.smallmodel.embedder import (
    EMBEDDING_DIM,
    Embedder,
    SentenceTransformerEmbedder,
    load_embedder,
)
from gateway.smallmodel.intent import IntentModel, IntentPrediction, load_intent_model
from gateway.smallmodel.labels import INTENTS, LOOKUP_INTENTS, OPEN, is_lookup
from gateway.smallmodel.report import TrainReport
from gateway.smallmodel.train import train_intent_model

__all__ = [
    "EMBEDDING_DIM",
    "INTENTS",
    "LOOKUP_INTENTS",
    "OPEN",
    "Embedder",
    "IntentModel",
    "IntentPrediction",
    "SentenceTransformerEmbedder",
    "SmallModelResponder",
    "TrainReport",
    "is_lookup",
    "load_embedder",
    "load_intent_model",
    "offer_marker",
    "train_intent_model",
]
