"""Next-best-offer decisioning: rank a member's eligible offers and learn from what they do.

    OfferScorer            rank(context, offers) → Ranking; learn(FeedbackEvent) → bool;
                           snapshot()/restore(), save(store)/load(store)
    ScoringContext         the member and the moment, as the scorer reads them
    Ranking, ScoredOffer   the chosen offer first; each with score, probability, explanation
    DecisionRecord         what a decision keeps until its feedback arrives
    FeedbackEvent, Outcome the member's reaction to the chosen offer
    ArbitrationPolicy      arbitration levers: exploration, rewards, context weights, category
                           levers, margin awareness (`policies/offers.yaml`, `arbitration:`);
    load_arbitration_policy  the same from a YAML file of its own
    LearnerSettings        the online model's learning options
    ModelStore, FileModelStore, RedisModelStore
                           where the scorer's snapshot is kept
    RedisDecisionLog       decision records by id, until their feedback (with a TTL)
    value_net, margin_cost what a redemption keeps and gives away
    ope                    IPS, SNIPS and doubly robust off-policy estimators (module)

Candidates must already be eligible (`gateway.offers`): the scorer orders offers, it
never decides whether one may be shown.
Consent applies before anything is read: without profiling no member feature reaches
the model or the decision log; without personalization the purchase history does not.
"""

from gateway.decisioning import ope
from gateway.decisioning._types import (
    DecisionRecord,
    FeedbackEvent,
    Outcome,
    Ranking,
    ScoredOffer,
    ScoringContext,
)
from gateway.decisioning.arbitration import (
    ArbitrationPolicy,
    LearnerSettings,
    load_arbitration_policy,
    margin_cost,
    value_net,
)
from gateway.decisioning.bandit import OfferScorer
from gateway.decisioning.persistence import FileModelStore, ModelStore, RedisDecisionLog, RedisModelStore

__all__ = [
    "ArbitrationPolicy",
    "DecisionRecord",
    "FeedbackEvent",
    "FileModelStore",
    "LearnerSettings",
    "ModelStore",
    "OfferScorer",
    "Outcome",
    "Ranking",
    "RedisDecisionLog",
    "RedisModelStore",
    "ScoredOffer",
    "ScoringContext",
    "load_arbitration_policy",
    "margin_cost",
    "ope",
    "value_net",
]
