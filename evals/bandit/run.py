"""One seed of the simulation: every policy meets the same members, candidates and luck.

Rounds are drawn once and shown to all policies in lockstep; a redemption happens when
the round's shared uniform falls below the true probability of the offer a policy
chose, so differences between policies come from their choices, not from the dice.
Regret is measured on expected reward (true probability × value) against the oracle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gateway.decisioning import ArbitrationPolicy, OfferScorer, Outcome, ope
from gateway.policy.program import MarginPolicy, ProgramPolicy

from .policies import BatchPolicy, DiscountFirst, OnlinePolicy, OraclePolicy, Policy
from .world import Round, World, WorldConfig


@dataclass(frozen=True)
class SeedResult:
    seed: int
    names: tuple[str, ...]
    realized: NDArray[np.float64]  # policies × rounds: margin earned per round
    expected: NDArray[np.float64]  # policies × rounds: true probability × value of the choice
    ope: dict[str, dict[str, float]]
    snapshot: bytes  # the online scorer at the end, for the latency measurement


def outcome_of(rnd: Round, position: int, click_rate: float) -> Outcome:
    if rnd.u_redeem < rnd.acceptance[position]:
        return Outcome.REDEEMED
    return Outcome.CLICKED if rnd.u_click < click_rate else Outcome.DISMISSED


def run_seed(
    seed: int, config: WorldConfig, policy: ArbitrationPolicy, margins: MarginPolicy,
    *, program: ProgramPolicy, ope_days: int,
) -> SeedResult:  # fmt: skip
    world = World(config, seed=seed, margins=margins, program=program)
    online = OnlinePolicy(world, OfferScorer(policy=policy, margins=margins, seed=seed))
    batch = BatchPolicy(world, policy, margins, seed)
    static = OnlinePolicy(world, OfferScorer(policy=policy, margins=margins, seed=seed), learns=False)
    policies: list[Policy] = [OraclePolicy(world), online, batch, static, DiscountFirst(world)]
    realized = np.zeros((len(policies), config.rounds))
    expected = np.zeros((len(policies), config.rounds))
    logged: list[tuple[Round, int, float, float]] = []
    for t in range(config.rounds):
        if t and t % config.rounds_per_day == 0:
            world.advance_to(t // config.rounds_per_day)
        rnd = world.draw_round(t)
        values = world.values[rnd.candidates]
        for k, p in enumerate(policies):
            position, probability = p.choose(rnd)
            outcome = outcome_of(rnd, position, config.click_rate)
            p.observe(rnd, position, outcome)
            realized[k, t] = values[position] * (outcome is Outcome.REDEEMED)
            expected[k, t] = values[position] * rnd.acceptance[position]
            if p is batch and rnd.day >= config.days - ope_days:
                logged.append((rnd, position, probability, realized[k, t]))
    return SeedResult(
        seed, tuple(p.name for p in policies), realized, expected,
        off_policy(world, online.scorer, batch, logged), online.scorer.snapshot(),
    )  # fmt: skip


def off_policy(
    world: World, target: OfferScorer, batch: BatchPolicy, logged: list[tuple[Round, int, float, float]]
) -> dict[str, dict[str, float]]:
    """The final online scorer, evaluated on the batch policy's last logs, against its true value."""
    rewards, mu, pi, q, baseline, truth = [], [], [], [], [], []
    for rnd, position, probability, reward in logged:
        offers = [world.offers[i] for i in rnd.candidates]
        by_id = {s.offer.offer_id: s.probability for s in target.rank(rnd.context, offers).offers}
        target_p = np.array([by_id[o.offer_id] for o in offers])
        values = world.values[rnd.candidates]
        q_all = batch.acceptance(rnd) * values
        rewards.append(reward)
        mu.append(probability)
        pi.append(target_p[position])
        q.append(q_all[position])
        baseline.append(float(target_p @ q_all))
        truth.append(float(target_p @ (rnd.acceptance * values)))
    estimates = {
        "ips": ope.ips(rewards, mu, pi),
        "snips": ope.snips(rewards, mu, pi),
        "dr": ope.doubly_robust(rewards, mu, pi, q, baseline),
    }
    result = {name: {"value": e.value, "stderr": e.stderr} for name, e in estimates.items()}
    result["truth"] = {"value": float(np.mean(truth)), "stderr": 0.0}
    # Few logged decisions carry most of the weight when the two policies disagree; the
    # effective sample size says how many, and how far to trust the standard errors.
    w = np.asarray(pi) / np.asarray(mu)
    result["weights"] = {"n": float(w.size), "effective_sample_size": float(w.sum() ** 2 / (w**2).sum())}
    own = np.asarray(rewards)
    result["logging_policy"] = {"value": float(own.mean()), "stderr": float(own.std() / own.size**0.5)}
    return result
