"""Consent bound to purpose: what a member allowed the gateway to use their data for.

A decision names the purposes allowed for this turn. Every stage that uses a
member's data for one of these purposes asks the decision first and leaves the
features out when the purpose is not allowed; the audit keeps the decision.

    personalization  purchase history, recent moments and interests in answers and offers
    profiling        learned scoring for marketing (the offer bandit's member features)
    location         store entered, location pings, the channel's location, store notifications

A Global Privacy Control signal sent by the channel opts the member out of
profiling for marketing (the "sale or sharing" opt-out), whatever the stored consent says.
With `Sec-GPC: 1` on chat it applies to that decision; on `POST /v1/events` it is kept
as the member's profiling refusal (source "gpc"), since the decisions those events feed
(store notifications) are made later, without the request.

Location events (store entered, pings) are applied to the hot profile whatever the
consent and ignored at decision time (the stitcher, the store notifier): consent is
decided per decision, a GPC signal arrives with a request rather than with an event,
and the consumer stays one Redis round trip per batch. A refused purpose therefore
takes effect at once, for every later decision, and the profile expires with its TTL.

    ConsentDecision, Purpose, EVERYTHING_ALLOWED   the types the stages read
    SqliteConsentStore, ConsentEntry               stored choices (a table in the member database)
    ConsentResolver.decide(member_id, metadata)    → ConsentDecision for one decision
    ConsentPreferences                             the API's view and update of a member's choices

Erasure (`DELETE /v1/members/{id}`) lives in `gateway.consent.erasure` (imported by
path: it depends on the stores it erases, which depend on `gateway.turn`).
"""

from __future__ import annotations

from gateway.consent._types import EVERYTHING_ALLOWED, ConsentDecision, Purpose
from gateway.consent.resolver import GPC, MEMBER_OPT_OUT, NO_CONSENT, ConsentResolver, ConsentSource, resolve
from gateway.consent.service import ConsentPreferences
from gateway.consent.store import ConsentEntry, SqliteConsentStore

__all__ = [
    "EVERYTHING_ALLOWED",
    "GPC",
    "MEMBER_OPT_OUT",
    "NO_CONSENT",
    "ConsentDecision",
    "ConsentEntry",
    "ConsentPreferences",
    "ConsentResolver",
    "ConsentSource",
    "Purpose",
    "SqliteConsentStore",
    "resolve",
]
