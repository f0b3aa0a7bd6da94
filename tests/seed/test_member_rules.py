"""Members: tier, points, next tier, home store and bands follow the documented rules."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from gateway.policy.program import MarginPolicy, ProgramPolicy
from gateway.seed import SourceTables

from .conftest import TODAY, Seeded, query, seed_tiny, tiny_source


def members(path: Path) -> dict[str, dict[str, object]]:
    return {row["member_id"]: dict(row) for row in query(path, "SELECT * FROM members")}


def test_tier_follows_annual_spend_thresholds(
    tmp_path: Path, tiny_program: ProgramPolicy, tiny_margins: MarginPolicy
) -> None:
    source = tiny_source(
        {1: [(53, 999.99)], 2: [(53, 1000.0)], 3: [(40, 2000.0), (53, 500.0)], 4: [(53, 5000.0)]}
    )
    seeded = members(seed_tiny(tmp_path / "db", source, tiny_program, tiny_margins))
    assert {m: row["tier"] for m, row in seeded.items()} == {
        "1": "Bronze",
        "2": "Silver",
        "3": "Gold",
        "4": "Platinum",
    }


def test_annual_spend_counts_only_the_last_52_weeks(
    tmp_path: Path, tiny_program: ProgramPolicy, tiny_margins: MarginPolicy
) -> None:
    source = tiny_source({1: [(1, 9000.0), (2, 10.0), (53, 5.5)]})
    member = members(seed_tiny(tmp_path / "db", source, tiny_program, tiny_margins))["1"]
    assert member["annual_spend"] == 15.5
    assert member["tier"] == "Bronze"


def test_spend_to_next_tier_is_the_gap_to_its_threshold(
    tmp_path: Path, tiny_program: ProgramPolicy, tiny_margins: MarginPolicy
) -> None:
    source = tiny_source({1: [(53, 999.99)], 2: [(53, 6000.0)]})
    seeded = members(seed_tiny(tmp_path / "db", source, tiny_program, tiny_margins))
    assert (seeded["1"]["next_tier"], seeded["1"]["spend_to_next_tier"]) == ("Silver", 0.01)
    assert (seeded["2"]["next_tier"], seeded["2"]["spend_to_next_tier"]) == (None, 0.0)


def test_points_are_spend_in_the_earning_window_times_points_per_dollar(
    tmp_path: Path, tiny_program: ProgramPolicy, tiny_margins: MarginPolicy
) -> None:
    # Earning window: the last 26 weeks (28-53); week 27 is outside it.
    source = tiny_source({1: [(27, 100.0), (28, 12.5), (31, 7.25), (32, 30.0), (53, 50.4)]})
    member = members(seed_tiny(tmp_path / "db", source, tiny_program, tiny_margins))["1"]
    assert member["points"] == 100  # floor(12.5 + 7.25 + 30 + 50.4)


def test_expiring_points_come_from_the_oldest_weeks_of_the_window(
    tmp_path: Path, tiny_program: ProgramPolicy, tiny_margins: MarginPolicy
) -> None:
    # The oldest 4 weeks of the earning window are weeks 28-31.
    source = tiny_source({1: [(27, 100.0), (28, 12.5), (31, 7.25), (32, 30.0), (53, 50.4)]})
    member = members(seed_tiny(tmp_path / "db", source, tiny_program, tiny_margins))["1"]
    assert member["points_expiring"] == 19  # floor(12.5 + 7.25)
    assert member["points_expire_on"] == (TODAY + timedelta(days=30)).isoformat()


def test_seeded_tiers_match_the_program_for_every_member(seeded: Seeded, program: ProgramPolicy) -> None:
    for row in query(seeded.path, "SELECT * FROM members"):
        tier = program.tier_for(row["annual_spend"])
        assert row["tier"] == tier.name
        assert 0 <= row["points_expiring"] <= row["points"]


def test_annual_spend_matches_the_data_set(seeded: Seeded, source: SourceTables) -> None:
    tx = source.transactions
    last_year = tx[tx["week"] > tx["week"].max() - 52]
    expected = last_year.groupby("household_id")["sales_value"].sum()
    for row in query(seeded.path, "SELECT member_id, annual_spend FROM members"):
        assert row["annual_spend"] == pytest.approx(expected[int(row["member_id"])], abs=0.01)


def test_home_store_is_where_the_member_shops_most(seeded: Seeded, source: SourceTables) -> None:
    tx = source.transactions
    for row in query(seeded.path, "SELECT member_id, home_store_id FROM members"):
        mine = tx[tx["household_id"] == int(row["member_id"])]
        visits = mine.groupby("store_id")["basket_id"].nunique()
        assert visits[int(row["home_store_id"])] == visits.max()


def test_age_and_income_bands_come_from_demographics(seeded: Seeded, source: SourceTables) -> None:
    bands = source.demographics.set_index("household_id")
    for row in query(seeded.path, "SELECT member_id, age_band, income_band FROM members"):
        household = bands.loc[int(row["member_id"])]
        assert (row["age_band"], row["income_band"]) == (household["age"], household["income"])


def test_a_subset_spreads_over_busy_and_quiet_households(seeded: Seeded, program: ProgramPolicy) -> None:
    counts = seeded.report.tier_counts
    assert seeded.report.members == 30
    assert all(counts[t.name] > 0 for t in program.tiers), counts
