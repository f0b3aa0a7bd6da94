"""The package's public surface is exactly what `__all__` says."""

from __future__ import annotations

import gateway.offers


def test_exported_names_are_accurate() -> None:
    assert sorted(gateway.offers.__all__) == [
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
    assert all(hasattr(gateway.offers, name) for name in gateway.offers.__all__)
