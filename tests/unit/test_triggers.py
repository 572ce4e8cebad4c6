"""Escalation trigger kinds are units (tierdesk.domain.triggers): one registry every reader uses."""

from __future__ import annotations

from typing import get_args

import pytest

from tierdesk.domain import rulebook
from tierdesk.domain.triggers import REGISTRY
from tierdesk.policy import PRESETS, compile_policy, load_checked
from tierdesk.policy.schema import TRIGGER_SCHEMAS, trigger_params


def test_the_registry_the_rulebook_and_the_policy_schema_name_the_same_kinds() -> None:
    schema_kinds = {get_args(s.model_fields["type"].annotation)[0] for s in TRIGGER_SCHEMAS}
    assert set(REGISTRY) == schema_kinds == set(get_args(rulebook.TriggerKind))
    assert all(kind.name == name for name, kind in REGISTRY.items())


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_rule_compiles_through_its_kind(preset: str) -> None:
    loaded, _ = load_checked(None, preset)
    rules = compile_policy(loaded.policy)
    for rule, spec in zip(rules.escalation_rules, loaded.policy.escalation.rules, strict=True):
        fields = REGISTRY[spec.trigger.type].compile(trigger_params(spec.trigger))
        assert rule.trigger == spec.trigger.type
        assert all(getattr(rule, k) == v for k, v in fields.items())


def test_a_time_box_never_fires_from_text() -> None:
    loaded, _ = load_checked(None, "cs-sop")
    rules = compile_policy(loaded.policy)
    from tierdesk.domain.triggers import IntakeFacts

    boxed = [r for r in rules.escalation_rules if r.trigger == "time_in_tier"]
    assert boxed
    facts = IntakeFacts((), None, "", 9)
    assert all(REGISTRY[r.trigger].at_intake(r, rules, facts) is None for r in boxed)
