"""Offer decisioning: which of a member's offers an answer may carry, and why not the others.

    OfferDecider                the protocol the context stage depends on
    PolicyOfferDecider          program + margins + offer policy, a fact store, frequency caps
    OfferDecision               offers (in order) and (offer_id, reason code) rejections
    FrequencyCaps, CapUsage     per-member impression counts in Redis (`lg:cap:v1:`)
    OfferFactStore              what the decider reads: terms, member since, stock, promotions
    Promotion, OfferTerms       the records that store returns
    Reason                      every rejection reason code
    eligible_offers, explain_ineligible, Ineligibility
                                the program's tier, margin and expiry rules (pure)
"""

from gateway.offers.caps import CapUsage, FrequencyCaps
from gateway.offers.decider import OfferDecider, OfferDecision, PolicyOfferDecider
from gateway.offers.eligibility import Ineligibility, eligible_offers, explain_ineligible
from gateway.offers.facts import OfferFactStore, OfferTerms, Promotion
from gateway.offers.rules import Reason

__all__ = [
    "CapUsage",
    "FrequencyCaps",
    "Ineligibility",
    "OfferDecider",
    "OfferDecision",
    "OfferFactStore",
    "OfferTerms",
    "PolicyOfferDecider",
    "Promotion",
    "Reason",
    "eligible_offers",
    "explain_ineligible",
]
