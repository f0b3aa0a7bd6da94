"""Arbitration's levers are policy data: `offers.yaml`'s `arbitration:` section, validated with
file and line, versioned with the policy set, and read on every ranking (a reload changes the
next ranking; what the model learned stays)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import get_args

import pytest
import redis.asyncio as aioredis

from gateway.decisioning import ArbitrationPolicy, FileModelStore, OfferScorer, Outcome, RedisDecisionLog
from gateway.decisioning.service import OfferService
from gateway.exceptions import ConfigError
from gateway.policy.live import LivePolicies
from gateway.policy.loader import load_policy_set
from gateway.policy.offers import OutcomeName, load_offer_policy
from gateway.settings import PROJECT_ROOT
from tests.decisioning.support import MARGINS, context, member_context, offer

SHIPPED = PROJECT_ROOT / "policies" / "offers.yaml"


def edited(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "offers.yaml"
    shutil.copyfile(SHIPPED, path)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return path


def line_of(path: Path, fragment: str) -> int:
    return next(i for i, text in enumerate(path.read_text().splitlines(), 1) if fragment in text)


def test_the_shipped_policy_writes_every_lever_out() -> None:
    policy, _ = load_offer_policy(SHIPPED)
    levers = policy.arbitration
    assert levers.epsilon == 0.05
    assert levers.reward(Outcome.REDEEMED) == 1.0
    assert levers.margin.discount_cost_weight == 1.0
    raw = SHIPPED.read_text()
    assert all(f"{name}:" in raw for name in ArbitrationPolicy.model_fields)


def test_outcome_names_in_the_policy_are_the_scorer_s_outcomes() -> None:
    assert set(get_args(OutcomeName)) == {o.value for o in Outcome}


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("epsilon: 0.05", "epsilon: 1.5", "arbitration.epsilon: Input should be less than or equal to 1"),
        ("epsilon: 0.05", "epsilonn: 0.05", "arbitration.epsilonn: Extra inputs are not permitted"),
        ("category_levers: {}", "category_levers: {COFFEE: -1}", "arbitration.category_levers.COFFEE"),
        ("{redeemed: 1.0,", "{redeem: 1.0,", "arbitration.outcome_rewards.redeem"),
        ("discount_cost_weight: 1.0", "discount_cost_weight: -0.5", "margin.discount_cost_weight"),
        ("interactions: [UO, AO]", "interactions: [UX]", "arbitration.learner.interactions.0"),
    ],
)
def test_a_bad_lever_is_refused_naming_file_line_and_key(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    path = edited(tmp_path, old, new)
    with pytest.raises(ConfigError, match=re.escape(problem)) as err:
        load_offer_policy(path)
    assert f"{path}:{line_of(path, new)}:" in err.value.message


def test_a_floor_above_the_prior_is_refused_at_the_section(tmp_path: Path) -> None:
    path = edited(tmp_path, "acceptance_floor: 0.001", "acceptance_floor: 0.5")
    with pytest.raises(ConfigError, match="acceptance_floor must not be above acceptance_prior") as err:
        load_offer_policy(path)
    line = int(re.findall(rf"{re.escape(str(path))}:(\d+): arbitration:", err.value.message)[0])
    assert line > line_of(path, "arbitration:")  # within the section


def test_a_lever_handed_to_rank_changes_the_ranking_and_the_version() -> None:
    offers = [offer("OFR-1", category="COFFEE", discount=10), offer("OFR-2", category="TEA", discount=15)]
    scorer = OfferScorer(policy=ArbitrationPolicy(epsilon=0.0), margins=MARGINS)
    before = scorer.rank(context("d-1"), offers)
    assert before.offers[0].offer.offer_id == "OFR-1"  # keeps more margin
    levered = ArbitrationPolicy(epsilon=0.0, category_levers={"COFFEE": 0.5})
    after = scorer.rank(context("d-1"), offers, policy=levered)
    assert after.offers[0].offer.offer_id == "OFR-2"
    assert after.policy_version != before.policy_version


def test_discounts_counted_at_no_cost_rank_the_deeper_discount_of_the_richer_department() -> None:
    offers = [offer("OFR-1", department="GROCERY", discount=5),
              offer("OFR-2", department="PRODUCE", discount=30)]
    scorer = OfferScorer(policy=ArbitrationPolicy(epsilon=0.0), margins=MARGINS)
    assert scorer.rank(context("d"), offers).offers[0].offer.offer_id == "OFR-1"  # 25% kept vs 10%
    free = ArbitrationPolicy.model_validate({"epsilon": 0.0, "margin": {"discount_cost_weight": 0.0}})
    assert scorer.rank(context("d"), offers, policy=free).offers[0].offer.offer_id == "OFR-2"


@pytest.mark.anyio
async def test_a_policy_reload_changes_the_next_ranking_and_keeps_what_was_learned(
    tmp_path: Path, async_redis: aioredis.Redis, key_prefix: str
) -> None:
    folder = tmp_path / "policies"
    shutil.copytree(PROJECT_ROOT / "policies", folder)
    offers_file = folder / "offers.yaml"
    offers_file.write_text(offers_file.read_text().replace("epsilon: 0.05", "epsilon: 0.0"))
    live = LivePolicies(folder, lambda policies: None, check_interval_s=0)
    policies = load_policy_set(folder)
    scorer = OfferScorer(policy=policies.offers.arbitration, margins=policies.margins)
    service = OfferService(scorer, RedisDecisionLog(async_redis, prefix=key_prefix, ttl_s=60),
                           FileModelStore(tmp_path / "nbo"), policies=lambda: live.current.policies)
    candidates = [offer("OFR-1", category="COFFEE", department="GROCERY", discount=5),
                  offer("OFR-2", category="TEA", department="GROCERY", discount=10)]
    first = await service.rank(member_context(candidates), channel="app", decision_id="dec-before")
    assert first.offers[0].offer.offer_id == "OFR-1"
    assert (await service.feedback("dec-before", "OFR-1", Outcome.DISMISSED)).learned

    text = offers_file.read_text()
    offers_file.write_text(text.replace("category_levers: {}", "category_levers: {COFFEE: 0}"))
    assert live.refresh().changed
    second = await service.rank(member_context(candidates), channel="app", decision_id="dec-after")
    assert second.offers[0].offer.offer_id == "OFR-2"
    assert second.model_updates == 1  # the learner carried over; only the levers changed
    assert second.policy_version == live.current.policies.offers.arbitration.version
