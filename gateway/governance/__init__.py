"""Governance: the hard gate between a draft answer and the member.

The model never states an offer's terms: it writes a marker such as
`[[offer:OFR-123]]` and the gate renders the approved wording. Any other
discount, price, points, "free", tier or expiry claim is a violation unless it
is a fact of the member's own context; personal data, off-brand wording and
tone, competitors, claims to be a person, medical, legal or financial advice,
and links or images outside the allow-list are violations too. Claims are read
as the member would see them: other scripts' digits, lookalike letters,
invisible characters, markup and spaced-out letters are undone first. The gate
passes, repairs (drops the offending sentences) or replaces the answer with the
channel's safe fallback, and says which in a `Verdict`. Where a channel needs
an AI disclosure, the gate adds its own once per conversation.

    Gate(policy, policy_version).check(text, context, channel, user_text=...,
                                       earlier_answers=...)
    split_sentences(text) / split_complete(buffer)   sentence units, for streaming
    RuleBook(policy).for_channel(channel)            the checks as pure functions
    Checker, Finding, TurnFacts                      to run the checks some other way
    Gate(..., semantic=load_claim_classifier(models_dir, embedder))
                                                     the learned second check (optional)
    train_claim_classifier(data_dir, models_dir, embedder)   trains it (scikit-learn)
"""

from gateway.governance._facts import Finding, TurnFacts
from gateway.governance._semantic import ClaimClassifier, has_claim_classifier, load_claim_classifier
from gateway.governance.gate import Checker, Engine, Gate
from gateway.governance.markers import render_markers
from gateway.governance.rules import ChannelRules, RuleBook
from gateway.governance.semantic_train import ClaimTrainReport, train_claim_classifier
from gateway.governance.sentences import Sentence, split_complete, split_sentences

__all__ = [
    "ChannelRules",
    "Checker",
    "ClaimClassifier",
    "ClaimTrainReport",
    "Engine",
    "Finding",
    "Gate",
    "RuleBook",
    "Sentence",
    "TurnFacts",
    "has_claim_classifier",
    "load_claim_classifier",
    "render_markers",
    "split_complete",
    "split_sentences",
    "train_claim_classifier",
]
