"""Which purposes a decision may use: stored choices, the request's GPC signal, the default."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway.consent import GPC, MEMBER_OPT_OUT, NO_CONSENT, ConsentEntry, Purpose, resolve

WHEN = datetime(2026, 11, 20, tzinfo=UTC)


def stored(**choices: bool | tuple[bool, str]) -> dict[Purpose, ConsentEntry]:
    out = {}
    for name, choice in choices.items():
        allowed, source = choice if isinstance(choice, tuple) else (choice, "app")
        out[Purpose(name)] = ConsentEntry(Purpose(name), allowed, WHEN, source)
    return out


def test_a_member_who_never_decided_allows_everything_by_default() -> None:
    decision = resolve({}, gpc=False)
    assert decision.allowed == frozenset(Purpose) and decision.refused_because == {}


def test_a_stored_refusal_is_a_member_opt_out_and_only_for_that_purpose() -> None:
    decision = resolve(stored(location=False, profiling=True), gpc=False)
    assert decision.refused_because == {Purpose.LOCATION: MEMBER_OPT_OUT}
    assert decision.allows(Purpose.PROFILING) and decision.allows(Purpose.PERSONALIZATION)


def test_a_gpc_signal_refuses_profiling_whatever_is_stored() -> None:
    decision = resolve(stored(profiling=True), gpc=True)
    assert decision.refused_because == {Purpose.PROFILING: GPC}
    assert decision.allows(Purpose.PERSONALIZATION) and decision.allows(Purpose.LOCATION)


def test_a_refusal_recorded_from_a_gpc_signal_keeps_gpc_as_its_reason() -> None:
    assert resolve(stored(profiling=(False, "gpc")), gpc=False).refused_because == {Purpose.PROFILING: GPC}


def test_the_members_own_opt_out_is_the_reason_even_when_gpc_is_sent_too() -> None:
    assert resolve(stored(profiling=False), gpc=True).refused_because == {Purpose.PROFILING: MEMBER_OPT_OUT}


def test_with_an_opt_in_default_only_what_the_member_allowed_is_allowed() -> None:
    decision = resolve(stored(personalization=True), gpc=False, default_allowed=False)
    assert decision.allowed == {Purpose.PERSONALIZATION}
    assert decision.refused_because[Purpose.LOCATION] == NO_CONSENT


def test_the_audit_form_names_allowed_and_refused_purposes() -> None:
    assert resolve(stored(location=False), gpc=True).for_audit() == {
        "allowed": ["personalization"],
        "refused": {"location": MEMBER_OPT_OUT, "profiling": GPC},
    }
