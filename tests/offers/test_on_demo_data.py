"""The shipped policies on a real seeded demo database (30 households): every answer is
stack-safe and never carries an excluded offer, and every targeted offer is accounted for."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import redis.asyncio as redis

from gateway.members import SqliteMemberStore
from gateway.offers import FrequencyCaps, PolicyOfferDecider, Reason
from gateway.policy.loader import PolicySet
from gateway.policy.offers import load_offer_policy
from gateway.settings import PROJECT_ROOT

pytestmark = pytest.mark.anyio


async def test_shipped_policies_give_safe_answers_and_a_reason_for_every_offer_left_out(
    seeded_db: Path, policies: PolicySet, client: redis.Redis
) -> None:
    offer_policy, _ = load_offer_policy(PROJECT_ROOT / "policies" / "offers.yaml")
    with sqlite3.connect(seeded_db) as conn:
        today = date.fromisoformat(conn.execute("SELECT value FROM meta WHERE key = 'today'").fetchone()[0])
        member_ids = [r[0] for r in conn.execute("SELECT DISTINCT member_id FROM offer_targets ORDER BY 1")]
    reasons: Counter[str] = Counter()
    shown = 0
    async with SqliteMemberStore(seeded_db) as store:
        decider = PolicyOfferDecider(
            policies.program, policies.margins, offer_policy, store=store, caps=FrequencyCaps(client)
        )
        for member_id in member_ids:
            member = await store.get_member(member_id)
            targeted = await store.targeted_offers(member_id)
            decision = await decider.candidates(member, targeted, store_id=member.home_store_id, today=today)
            offers = decision.offers
            assert len(offers) <= offer_policy.stacking.max_offers_per_answer
            assert len({o.category for o in offers}) == len(offers)
            assert not any(offer_policy.eligibility.excludes_category(o.category) for o in offers)
            assert not any(offer_policy.eligibility.excludes_department(o.department) for o in offers)
            rejected = [offer_id for offer_id, _ in decision.rejected]
            assert sorted([o.offer_id for o in offers] + rejected) == sorted(o.offer_id for o in targeted)
            reasons.update(reason for _, reason in decision.rejected)
            shown += len(offers)
    assert set(reasons) <= {str(r) for r in Reason}
    assert shown > 0
    assert reasons["conflicts_with_promotion"] > 0
    assert reasons["excluded_category"] + reasons["excluded_department"] > 0
