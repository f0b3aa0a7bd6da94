"""Offer decisioning: which of a member's offers may be shown, and why not.

eligible_offers(offers, member, *, program, margins, today) -> tuple[Offer, ...]
explain_ineligible(offer, member, *, program, margins, today) -> Ineligibility | None
"""

from gateway.offers.eligibility import Ineligibility, eligible_offers, explain_ineligible

__all__ = ["Ineligibility", "eligible_offers", "explain_ineligible"]
